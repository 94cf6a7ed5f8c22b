package server

import (
	"container/list"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client key, for at most max clients. It is
// safe for concurrent use.
//
// Memory is bounded, and no flood of new addresses can buy an abusive
// client a fresh budget: a new client takes the place of the least recently
// seen one only when that one's bucket has refilled, so forgetting it loses
// nothing (a new bucket is a full one). While every tracked client has
// spent from its bucket within the refill time (burst/rate, 3s by default),
// new clients are not tracked and share one overflow bucket, so a flood of
// new addresses gets one client's budget between them. The price is that,
// during such a flood, a genuine newcomer may be refused until a bucket
// refills; clients already tracked are never affected. Clients idle for
// limiterIdle with a full bucket are forgotten too.
type limiter struct {
	rate  rate.Limit
	burst int
	max   int

	mu        sync.Mutex
	clients   map[string]*list.Element // of *client
	order     list.List                // front: the most recently seen
	overflow  *rate.Limiter
	lastSweep time.Time
}

type client struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

const limiterIdle = 10 * time.Minute

// newLimiter returns a limiter of r requests a second, with bursts of
// burst, for at most max clients (DefaultRateClients when max <= 0).
func newLimiter(r rate.Limit, burst, max int) *limiter {
	if max <= 0 {
		max = DefaultRateClients
	}
	return &limiter{rate: r, burst: burst, max: max, clients: map[string]*list.Element{}, overflow: rate.NewLimiter(r, burst)}
}

// allow reports whether key may make a request now.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		l.sweep(now)
	}
	if el, ok := l.clients[key]; ok {
		c := el.Value.(*client)
		c.seen = now
		l.order.MoveToFront(el)
		return c.lim.AllowN(now, 1)
	}
	if len(l.clients) < l.max {
		c := &client{key: key, lim: rate.NewLimiter(l.rate, l.burst), seen: now}
		l.clients[key] = l.order.PushFront(c)
		return c.lim.AllowN(now, 1)
	}
	el := l.order.Back()
	c := el.Value.(*client)
	if !l.refilled(c, now) {
		return l.overflow.AllowN(now, 1)
	}
	// The least recently seen client's bucket is full, as a new one would
	// be: give it to the newcomer.
	delete(l.clients, c.key)
	c.key, c.seen = key, now
	l.clients[key] = el
	l.order.MoveToFront(el)
	return c.lim.AllowN(now, 1)
}

// sweep forgets clients idle for limiterIdle whose buckets have refilled.
func (l *limiter) sweep(now time.Time) {
	for el := l.order.Back(); el != nil; el = l.order.Back() {
		c := el.Value.(*client)
		if now.Sub(c.seen) <= limiterIdle || !l.refilled(c, now) {
			break
		}
		l.order.Remove(el)
		delete(l.clients, c.key)
	}
	l.lastSweep = now
}

func (l *limiter) refilled(c *client, now time.Time) bool {
	return c.lim.TokensAt(now) >= float64(l.burst)
}

func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey identifies the client of r for rate limiting: the address the
// connection came from, or, when header is set (the server sits behind a
// proxy that appends to it, such as X-Forwarded-For), the rightmost address
// in that header, which is the one the proxy itself saw. It is used for
// nothing else.
func clientKey(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			last := v[len(v)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
