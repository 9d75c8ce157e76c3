//go:build moto

package module

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// assertGone checks, through the AWS API, that moto holds no REST API,
// function, table, role, user pool, alarm or dashboard named after the run (every name of an
// example starts with its name variable). Other tests share the server, so
// every listing is read to its last page.
func assertGone(ctx context.Context, t *testing.T, cfg aws.Config, name string) {
	t.Helper()
	left := func(kind, n string) {
		if strings.HasPrefix(n, name) {
			t.Errorf("%s %s left after destroy", kind, n)
		}
	}
	eachPage(ctx, t, apigateway.NewGetRestApisPaginator(apigateway.NewFromConfig(cfg), &apigateway.GetRestApisInput{Limit: aws.Int32(500)}), func(page *apigateway.GetRestApisOutput) {
		for _, a := range page.Items {
			left("REST API", aws.ToString(a.Name))
		}
	})
	eachPage(ctx, t, lambda.NewListFunctionsPaginator(lambda.NewFromConfig(cfg), &lambda.ListFunctionsInput{}), func(page *lambda.ListFunctionsOutput) {
		for _, f := range page.Functions {
			left("function", aws.ToString(f.FunctionName))
		}
	})
	eachPage(ctx, t, dynamodb.NewListTablesPaginator(dynamodb.NewFromConfig(cfg), &dynamodb.ListTablesInput{}), func(page *dynamodb.ListTablesOutput) {
		for _, tb := range page.TableNames {
			left("table", tb)
		}
	})
	eachPage(ctx, t, iam.NewListRolesPaginator(iam.NewFromConfig(cfg), &iam.ListRolesInput{}), func(page *iam.ListRolesOutput) {
		for _, r := range page.Roles {
			left("role", aws.ToString(r.RoleName))
		}
	})
	pools := cognitoidentityprovider.NewListUserPoolsPaginator(cognitoidentityprovider.NewFromConfig(cfg), &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	eachPage(ctx, t, pools, func(page *cognitoidentityprovider.ListUserPoolsOutput) {
		for _, p := range page.UserPools {
			left("user pool", aws.ToString(p.Name))
		}
	})
	cw := cloudwatch.NewFromConfig(cfg)
	eachPage(ctx, t, cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(name)}), func(page *cloudwatch.DescribeAlarmsOutput) {
		for _, a := range page.MetricAlarms {
			left("alarm", aws.ToString(a.AlarmName))
		}
	})
	eachPage(ctx, t, cloudwatch.NewListDashboardsPaginator(cw, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(name)}), func(page *cloudwatch.ListDashboardsOutput) {
		for _, d := range page.DashboardEntries {
			left("dashboard", aws.ToString(d.DashboardName))
		}
	})
}

// pager is an AWS SDK paginator.
type pager[Out, Opt any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*Opt)) (Out, error)
}

// eachPage reads p to its last page, calling read on each.
func eachPage[Out, Opt any](ctx context.Context, t *testing.T, p pager[Out, Opt], read func(Out)) {
	t.Helper()
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		read(page)
	}
}
