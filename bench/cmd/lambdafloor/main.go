// Command lambdafloor is the cold-start floor: a Go Lambda (aws-lambda-go,
// provided.al2023, built like the project's functions) that answers every
// invocation with a constant and does nothing else.
package main

import "github.com/aws/aws-lambda-go/lambda"

type response struct {
	PrincipalID string `json:"principalId"`
}

func main() {
	lambda.Start(func() (response, error) { return response{PrincipalID: "floor"}, nil })
}
