//go:build moto

package module

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// assertGone checks, through the AWS API, that moto holds no REST API,
// function, table, role or user pool named after the run (every name of an
// example starts with its name variable). Other tests share the server, so
// every listing is read to its last page.
func assertGone(ctx context.Context, t *testing.T, cfg aws.Config, name string) {
	t.Helper()
	left := func(kind, n string) {
		if strings.HasPrefix(n, name) {
			t.Errorf("%s %s left after destroy", kind, n)
		}
	}
	apis := apigateway.NewGetRestApisPaginator(apigateway.NewFromConfig(cfg), &apigateway.GetRestApisInput{Limit: aws.Int32(500)})
	for apis.HasMorePages() {
		page, err := apis.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			left("REST API", aws.ToString(a.Name))
		}
	}
	fns := lambda.NewListFunctionsPaginator(lambda.NewFromConfig(cfg), &lambda.ListFunctionsInput{})
	for fns.HasMorePages() {
		page, err := fns.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Functions {
			left("function", aws.ToString(f.FunctionName))
		}
	}
	tables := dynamodb.NewListTablesPaginator(dynamodb.NewFromConfig(cfg), &dynamodb.ListTablesInput{})
	for tables.HasMorePages() {
		page, err := tables.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range page.TableNames {
			left("table", tb)
		}
	}
	roles := iam.NewListRolesPaginator(iam.NewFromConfig(cfg), &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			left("role", aws.ToString(r.RoleName))
		}
	}
	pools := cognitoidentityprovider.NewListUserPoolsPaginator(cognitoidentityprovider.NewFromConfig(cfg), &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pools.HasMorePages() {
		page, err := pools.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.UserPools {
			left("user pool", aws.ToString(p.Name))
		}
	}
}
