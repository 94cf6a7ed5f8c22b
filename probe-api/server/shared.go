package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/stepcheck/stepcheck/probe-api/api"
)

// shared is the Redis tier of shared mode: a result cache, a lock that lets
// one replica run a probe while the others wait, and a channel on which the
// runner announces the result. Any Redis failure marks the tier down; while
// down, callers use the local tier only, and Redis is tried again after
// sharedRetry. It is safe for concurrent use.
type shared struct {
	rdb     *redis.Client
	prefix  string
	timeout time.Duration // for each Redis operation
	log     *slog.Logger
	m       *metrics

	mu      sync.Mutex
	down    bool
	retryAt time.Time
}

const sharedRetry = time.Second

// release deletes the lock only if it still holds our token.
var release = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (s *shared) resultKey(key string) string { return s.prefix + "result:" + key }
func (s *shared) lockKey(key string) string   { return s.prefix + "lock:" + key }
func (s *shared) doneKey(key string) string   { return s.prefix + "done:" + key }

// usable reports whether to try Redis now.
func (s *shared) usable(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down || !now.Before(s.retryAt)
}

// failed records a Redis failure; the first one after success is logged.
func (s *shared) failed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down {
		s.log.Warn("shared cache unavailable; this replica uses its local cache", "err", redactRedis(err))
		s.m.sharedUp.Set(0)
	}
	s.down = true
	s.retryAt = time.Now().Add(sharedRetry)
}

func (s *shared) ok() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		s.log.Info("shared cache restored")
		s.m.sharedUp.Set(1)
	}
	s.down = false
}

// redactRedis keeps the class of a Redis error without the address it may
// name.
func redactRedis(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, redis.ErrClosed):
		return "client closed"
	}
	var re redis.Error
	if errors.As(err, &re) {
		return "redis error reply"
	}
	return "connection failed"
}

func (s *shared) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// get returns a cached result. A miss is (zero, false, nil).
func (s *shared) get(ctx context.Context, key string) (api.Result, bool, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	b, err := s.rdb.Get(ctx, s.resultKey(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		s.ok()
		return api.Result{}, false, nil
	}
	if err != nil {
		s.failed(err)
		return api.Result{}, false, err
	}
	s.ok()
	var r api.Result
	if err := json.Unmarshal(b, &r); err != nil {
		return api.Result{}, false, err
	}
	return r, true, nil
}

// lock tries to take the run lock for key for ttl. It returns the token to
// unlock with, or "" when another replica holds the lock.
func (s *shared) lock(ctx context.Context, key string, ttl time.Duration) (string, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	b := make([]byte, 12)
	rand.Read(b)
	token := hex.EncodeToString(b)
	ok, err := s.rdb.SetNX(ctx, s.lockKey(key), token, ttl).Result()
	if err != nil {
		s.failed(err)
		return "", err
	}
	s.ok()
	if !ok {
		return "", nil
	}
	return token, nil
}

// finish stores the result for the cache window (when positive), releases
// the lock and announces the result, in that order, so that a replica that
// subscribes late still finds the result or the lock free.
func (s *shared) finish(ctx context.Context, key, token string, res api.Result, window time.Duration) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	b, err := json.Marshal(res)
	if err != nil {
		return
	}
	pipe := s.rdb.TxPipeline()
	if window > 0 {
		pipe.Set(ctx, s.resultKey(key), b, window)
	}
	release.Eval(ctx, pipe, []string{s.lockKey(key)}, token)
	pipe.Publish(ctx, s.doneKey(key), b)
	if _, err := pipe.Exec(ctx); err != nil {
		s.failed(err)
		return
	}
	s.ok()
}

// subscription is a subscription to one key's announcements.
type subscription struct {
	ps *redis.PubSub
}

func (s *shared) subscribe(ctx context.Context, key string) (*subscription, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	ps := s.rdb.Subscribe(ctx, s.doneKey(key))
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		s.failed(err)
		return nil, err
	}
	s.ok()
	return &subscription{ps: ps}, nil
}

// wait returns the announced result, or false when ctx ends first.
func (sub *subscription) wait(ctx context.Context) (api.Result, bool) {
	for {
		msg, err := sub.ps.ReceiveMessage(ctx)
		if err != nil {
			return api.Result{}, false
		}
		var r api.Result
		if json.Unmarshal([]byte(msg.Payload), &r) == nil {
			return r, true
		}
	}
}

func (sub *subscription) close() { sub.ps.Close() }

// ping checks Redis now, for /healthz.
func (s *shared) ping(ctx context.Context) bool {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		s.failed(err)
		return false
	}
	s.ok()
	return true
}
