package authorizer

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/awsenv"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// Deps are what FromConfig takes besides the settings; every field may be
// left zero.
type Deps struct {
	Logger *slog.Logger // nil → discard
	// MetricsLogger writes the metric records that are lines of their own
	// (allows flushed, the cold start's load, a deny whose line LOG_LEVEL
	// filters out): it must not filter level Info. nil → Logger.
	MetricsLogger *slog.Logger
	// AWS configures the DynamoDB client when cfg.KeysTableName is set;
	// nil → awsenv.FromEnv(os.Getenv), the Lambda environment's region and
	// role credentials (aws-sdk-go-v2/config would link SSO, STS and more
	// for nothing).
	AWS        *aws.Config
	HTTPClient *http.Client     // issuer fetches; nil → the keys package's
	Now        func() time.Time // nil → time.Now
}

// FromConfig builds the handler for cfg, as config.FromEnv validated it: one
// key provider per issuer (with its own DynamoDB item when
// cfg.KeysTableName is set), the verifier and the policy builder. It starts
// loading every issuer's keys at once; warmed is closed when all loads have
// ended, the write-back of issuer fetches to DynamoDB included. A failed
// load is logged, not fatal: the providers retry per request.
func FromConfig(ctx context.Context, cfg *config.Authorizer, deps Deps) (h *Handler, warmed <-chan struct{}, err error) {
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var store func(source string) keys.Store
	if cfg.KeysTableName != "" {
		awsCfg := deps.AWS
		if awsCfg == nil {
			c, err := awsenv.FromEnv(os.Getenv)
			if err != nil {
				return nil, nil, err
			}
			awsCfg = &c
		}
		store = func(source string) keys.Store {
			return keystore.NewFromConfig(*awsCfg, cfg.KeysTableName, keystore.PartitionKey(source))
		}
	}
	names := make([]string, 0, len(cfg.Issuers))
	for _, iss := range cfg.Issuers {
		names = append(names, iss.Name)
	}
	metricsLog := deps.MetricsLogger
	if metricsLog == nil {
		metricsLog = log
	}
	m := metrics.New(metrics.Options{Namespace: cfg.MetricsNamespace, Issuers: names, Logger: metricsLog, Now: deps.Now})
	providers := map[string]*keys.Provider{}
	byName := map[string]token.Keys{}
	for _, iss := range cfg.Issuers {
		opts := keys.Options{
			Issuer:             iss.Issuer,
			JWKSURL:            iss.JWKSURL,
			TTL:                cfg.KeysCacheTTL,
			MaxStale:           cfg.KeysMaxStale,
			RefetchMinInterval: cfg.RefetchMinInterval,
			ClockSkew:          cfg.ClockSkew,
			FetchTimeout:       cfg.JWKSFetchTimeout,
			HTTPClient:         deps.HTTPClient,
			Logger:             log.With(slog.String("issuerName", iss.Name)),
			Metrics:            m,
			Now:                deps.Now,
		}
		if store != nil {
			opts.Store = store(iss.KeysSource())
		}
		p, err := keys.New(opts)
		if err != nil {
			return nil, nil, err
		}
		providers[iss.Name], byName[iss.Name] = p, p
	}
	v, err := token.New(cfg, byName, deps.Now)
	if err != nil {
		return nil, nil, err
	}
	b, err := policy.NewBuilder(cfg.Routes, config.BoundParams(cfg.Issuers)...)
	if err != nil {
		return nil, nil, err
	}
	return newHandler(v, b, log, m), warm(ctx, providers, log, m), nil
}

// warm loads every provider's keys concurrently. Loading them at cold start
// takes the fetch off the first request; the Lambda function runs it while
// lambda.Start does the runtime handshake and makes the first invocation
// wait for warmed (it would wait for the keys anyway), so a write-back lands
// before the environment can be frozen after the first response. Its
// duration is the ColdStartLoadMs metric.
func warm(ctx context.Context, providers map[string]*keys.Provider, log *slog.Logger, m *metrics.Recorder) <-chan struct{} {
	done := make(chan struct{})
	start := time.Now()
	var wg sync.WaitGroup
	for name, p := range providers {
		wg.Go(func() {
			if err := p.Warm(ctx); err != nil {
				log.Warn("warm keys", slog.String("issuerName", name), slog.String("error", err.Error()))
			}
		})
	}
	go func() {
		wg.Wait()
		m.ColdStart(ctx, time.Since(start))
		close(done)
	}()
	return done
}
