package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
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

// RedisClient returns a client for shared mode from a redis:// or rediss://
// URL, tuned as shared mode needs it: every operation honours its
// context's deadline (the answer's deadline comes first), a failed command
// is not retried (the local tier takes over at once), and the client sends
// no CLIENT SETINFO, which older servers and proxies refuse. The error
// never repeats the URL, which may hold a password.
func RedisClient(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("not a valid redis:// or rediss:// URL")
	}
	opts.ContextTimeoutEnabled = true
	opts.DisableIdentity = true
	opts.MaxRetries = -1
	return redis.NewClient(opts), nil
}

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

// acquire sets the lock to ARGV[1] for ARGV[2] ms unless it is held, and
// returns -3 when it took the lock, or else the holder's lease left in ms
// (-1 for a lock without one, which this server never sets).
var acquire = redis.NewScript(`if redis.call("set", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return -3 end return redis.call("pttl", KEYS[1])`)

// lock tries to take the run lock for key with a lease of ttl. It returns
// the token to unlock with, or "" and the time left on the holder's lease
// when another replica holds the lock.
func (s *shared) lock(ctx context.Context, key string, ttl time.Duration) (string, time.Duration, error) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	b := make([]byte, 12)
	rand.Read(b)
	token := hex.EncodeToString(b)
	ms := ttl.Milliseconds() + 1
	left, err := acquire.Run(ctx, s.rdb, []string{s.lockKey(key)}, token, ms).Int64()
	if err != nil {
		s.failed(err)
		return "", 0, err
	}
	s.ok()
	switch {
	case left == -3:
		return token, 0, nil
	case left < 0:
		return "", ttl, nil
	}
	return "", time.Duration(left) * time.Millisecond, nil
}

// finish stores the result for window (when res is set and window
// positive), releases the lock and announces the result, in one
// transaction, so that a replica that takes the lock after it finds the
// result. A nil res announces that the lock was given up without a result,
// so the waiters try again at once.
func (s *shared) finish(ctx context.Context, key, token string, res *api.Result, window time.Duration) {
	ctx, cancel := s.opCtx(ctx)
	defer cancel()
	var b []byte
	if res != nil {
		var err error
		if b, err = json.Marshal(res); err != nil {
			return
		}
	}
	pipe := s.rdb.TxPipeline()
	if res != nil && window > 0 {
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

// announcement is what a waiter heard.
type announcement int

const (
	heardNothing  announcement = iota // nothing by the time asked
	heardResult                       // a result
	heardReleased                     // the lock was given up without a result
)

// wait returns the next announcement made before until. An error means
// Redis failed.
func (sub *subscription) wait(ctx context.Context, until time.Time) (api.Result, announcement, error) {
	for {
		d := time.Until(until)
		if d <= 0 {
			return api.Result{}, heardNothing, nil
		}
		msg, err := sub.ps.ReceiveTimeout(ctx, d)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
			return api.Result{}, heardNothing, nil
		case err != nil:
			return api.Result{}, heardNothing, err
		}
		m, ok := msg.(*redis.Message)
		if !ok {
			continue
		}
		if m.Payload == "" {
			return api.Result{}, heardReleased, nil
		}
		var r api.Result
		if json.Unmarshal([]byte(m.Payload), &r) == nil {
			return r, heardResult, nil
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
