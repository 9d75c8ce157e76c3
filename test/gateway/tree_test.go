package gateway

import (
	"errors"
	"strings"
	"testing"
)

func resources(paths ...string) []*Resource {
	var out []*Resource
	for _, p := range paths {
		out = append(out, &Resource{Path: p})
	}
	return out
}

func TestCheckTree(t *testing.T) {
	accepted := [][]string{
		{"/", "/users", "/users/{userId}", "/users/{userId}/orders", "/users/me"},
		{"/files", "/files/{proxy+}", "/v1:batch", "/a.b/c-d_e"},
		{"/a/{id}", "/b/{other}"}, // variables under different parents
	}
	for _, paths := range accepted {
		if err := checkTree(resources(paths...)); err != nil {
			t.Errorf("%v refused: %v", paths, err)
		}
	}
	refused := [][]string{
		{"/users/{id}", "/users/{userId}"},
		{"/files/{name}", "/files/{proxy+}"},
		{"/a@b"}, {"/a~b"}, {"/a,b"}, {"/(a)"}, {"/a|b"},
		{"/{1abc}"},
		{"/{proxy+}/x"},
	}
	for _, paths := range refused {
		if err := checkTree(resources(paths...)); !errors.Is(err, ErrRefusedByAWS) {
			t.Errorf("%v: err = %v, want ErrRefusedByAWS", paths, err)
		}
	}
}

func TestCheckPolicySize(t *testing.T) {
	if err := checkPolicySize(&Function{Name: "f", Policy: strings.Repeat("x", maxFunctionPolicyBytes)}); err != nil {
		t.Errorf("20 KB refused: %v", err)
	}
	if err := checkPolicySize(&Function{Name: "f", Policy: strings.Repeat("x", maxFunctionPolicyBytes+1)}); !errors.Is(err, ErrRefusedByAWS) {
		t.Errorf("over 20 KB: err = %v, want ErrRefusedByAWS", err)
	}
}
