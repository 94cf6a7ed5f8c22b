// Package testsvc gives tests the real PostgreSQL and Redis on loopback, and
// decides what happens when one is missing: with CI=true the test fails
// loudly; elsewhere it is skipped with the command that starts the service.
package testsvc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// Addresses of the services. Tests only ever connect to loopback.
const (
	PostgresAddr = "127.0.0.1:5432"
	RedisAddr    = "127.0.0.1:6379"
)

const (
	startPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startRedis    = `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`
)

func missing(t testing.TB, what, start string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI and is not reachable: %v (start it with: %s)", what, err, start)
	}
	t.Skipf("%s not reachable (%v); start it with: %s", what, err, start)
}

// PostgresDSN returns a DSN for database db (test or postgres) as user
// postgres over trust auth, after checking that the server answers.
func PostgresDSN(t testing.TB, db string) string {
	t.Helper()
	dsn := "postgres://postgres@" + PostgresAddr + "/" + db + "?sslmode=disable"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		missing(t, "PostgreSQL at "+PostgresAddr, startPostgres, err)
	}
	conn.Close(ctx)
	return dsn
}

// Postgres returns a connection to database db, closed when the test ends.
func Postgres(t testing.TB, db string) *pgx.Conn {
	t.Helper()
	dsn := PostgresDSN(t, db)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Redis returns a client for the real Redis and a key prefix unique to this
// test. Every key under the prefix is deleted when the test ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: RedisAddr, DisableIdentity: true, MaxRetries: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		missing(t, "Redis at "+RedisAddr, startRedis, err)
	}
	prefix := "stepcheck-test:" + randomHex() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up Redis keys %s*: %v", prefix, err)
		}
		c.Close()
	})
	return c, prefix
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
