/*
 * The load generator of the SocketDispatcher benchmark. Every mode is bounded in time (and in count
 * where it applies), talks to 127.0.0.1 (or another loopback address given with -a) only, and
 * prints one JSON object on standard output at the end.
 *
 *   loadgen conn -p PORT [-t THREADS] [-c CONNS] [-W WARMUP_S] [-d SECONDS] [-n MAX] [--tls]
 *       Short connections in a closed loop: connect, read until end of file, close. Measures
 *       connections/s and connect -> first byte latency (p50/p99), counts errors. With --tls each
 *       connection is a full TLS 1.3 handshake (no resumption) and the first byte is decrypted.
 *   loadgen msg -p PORT [-t THREADS] [-c CONNS] [-P DEPTH] [-W] [-d] [-r REQUEST] [-s SKIP_LINES]
 *       Pipelined request/response lines on long connections: DEPTH requests in flight per
 *       connection; counts reply lines (one '\n' each) per second.
 *   loadgen hold -p PORT -n COUNT [-t THREADS] [-d MAX_SECONDS] [--tls]
 *       Opens COUNT connections, reads the greeting line on each, prints {"holding":N,...} and keeps
 *       them open until standard input closes or MAX_SECONDS pass.
 *
 * conn and msg print "measure-start" and "measure-end" lines around the measured window (after
 * the warm-up), so that the harness samples the servers' CPU time over the same window.
 *
 * Built by the benchmark harness with: cc -O2 -pthread -o loadgen loadgen.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define CONNECTION_TIMEOUT_NS (5LL * 1000 * 1000 * 1000)

enum phase { WARMUP, MEASURE, DONE };

static struct {
    const char *mode;
    struct sockaddr_in address;
    int threads, connections, depth, skip_lines, tls;
    double warmup, duration;
    long max_count;
    const char *request;
    size_t request_length;
} config = { .threads = 1, .connections = 1, .depth = 16, .warmup = 0, .duration = 5, .request = "ALIVE\n" };

static SSL_CTX *client_tls;
static _Atomic int phase = WARMUP;
static _Atomic long completed_total; /* for -n across threads */

/* What one thread counts; summed at the end. Latencies are kept only inside the measured window. */
struct counters {
    long completed, errors, connect_errors, reset_errors, timeout_errors, short_errors, tls_errors;
    uint32_t *latencies_ns;
    size_t latency_count, latency_capacity;
    pthread_t thread;
    int index;
};

static void die(const char *what)
{
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void record_latency(struct counters *c, int64_t ns)
{
    if (atomic_load(&phase) != MEASURE) return;
    if (c->latency_count == c->latency_capacity) {
        c->latency_capacity = c->latency_capacity ? c->latency_capacity * 2 : 65536;
        c->latencies_ns = realloc(c->latencies_ns, c->latency_capacity * sizeof(uint32_t));
        if (c->latencies_ns == NULL) die("realloc");
    }
    c->latencies_ns[c->latency_count++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int measuring(void) { return atomic_load(&phase) == MEASURE; }

static void count_error(struct counters *c, long *kind)
{
    if (!measuring()) return;
    c->errors++;
    (*kind)++;
}

/* Whether the run may start another connection (time left, and -n not reached). */
static int may_continue(void)
{
    if (atomic_load(&phase) == DONE) return 0;
    return config.max_count <= 0 || atomic_load(&completed_total) < config.max_count;
}

static void count_completed(struct counters *c)
{
    if (!measuring()) return;
    c->completed++;
    if (atomic_fetch_add(&completed_total, 1) + 1 >= config.max_count && config.max_count > 0) atomic_store(&phase, DONE);
}

/* ---------------------------------------------------------------- conn mode, plain TCP, epoll */

struct slot {
    int fd;
    int64_t started;
    int got_first;
};

/* Starts a non-blocking connect(2) (EINPROGRESS is the normal answer) and watches for EPOLLIN. */
static int start_connection(int epoll, struct slot *s, int index)
{
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0) return -1;
    s->started = now_ns();
    s->got_first = 0;
    if (connect(s->fd, (struct sockaddr *)&config.address, sizeof config.address) < 0 && errno != EINPROGRESS) {
        close(s->fd);
        s->fd = -1;
        return -1;
    }
    /* The server speaks first: readable means the greeting (or an error, EPOLLERR/EPOLLHUP). */
    struct epoll_event interest = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)index };
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, s->fd, &interest) < 0) die("epoll_ctl");
    return 0;
}

static void end_connection(struct slot *s)
{
    close(s->fd); /* removes it from the epoll set too, epoll(7) */
    s->fd = -1;
}

static void *conn_plain_thread(void *argument)
{
    struct counters *c = argument;
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) die("epoll_create1");
    struct slot *slots = calloc((size_t)config.connections, sizeof *slots);
    if (slots == NULL) die("calloc");
    for (int i = 0; i < config.connections; i++) {
        slots[i].fd = -1;
        if (start_connection(epoll, &slots[i], i) < 0) count_error(c, &c->connect_errors);
    }
    struct epoll_event events[256];
    char buffer[4096];
    int64_t last_sweep = now_ns();
    while (atomic_load(&phase) != DONE) {
        int ready = epoll_wait(epoll, events, 256, 100);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int e = 0; e < ready; e++) {
            struct slot *s = &slots[events[e].data.u32];
            if (s->fd < 0) continue;
            int finished = 0, failed = 0;
            for (;;) {
                ssize_t n = read(s->fd, buffer, sizeof buffer);
                if (n > 0) {
                    if (!s->got_first) {
                        s->got_first = 1;
                        record_latency(c, now_ns() - s->started);
                    }
                    continue;
                }
                if (n == 0) {
                    finished = 1;
                    if (!s->got_first) { failed = 1; count_error(c, &c->short_errors); }
                    break;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                if (errno == EINTR) continue;
                finished = failed = 1;
                count_error(c, errno == ECONNREFUSED ? &c->connect_errors : &c->reset_errors);
                break;
            }
            if (!finished) continue;
            end_connection(s);
            if (!failed) count_completed(c);
            if (may_continue() && start_connection(epoll, s, (int)events[e].data.u32) < 0) count_error(c, &c->connect_errors);
        }
        /* A connection that got nothing for 5 s counts as a timeout and is replaced. */
        int64_t now = now_ns();
        if (now - last_sweep > 100000000LL) {
            last_sweep = now;
            for (int i = 0; i < config.connections; i++) {
                if (slots[i].fd >= 0 && now - slots[i].started > CONNECTION_TIMEOUT_NS) {
                    end_connection(&slots[i]);
                    count_error(c, &c->timeout_errors);
                    if (may_continue() && start_connection(epoll, &slots[i], i) < 0) count_error(c, &c->connect_errors);
                }
            }
        }
    }
    for (int i = 0; i < config.connections; i++) {
        if (slots[i].fd >= 0) end_connection(&slots[i]);
    }
    free(slots);
    close(epoll);
    return NULL;
}

/* ---------------------------------------------------------------- TLS, blocking, one per thread */

/* A blocking TCP connection with 5 s send/receive timeouts (socket(7) SO_RCVTIMEO); -1 on error. */
static int connect_blocking(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct timeval limit = { .tv_sec = 5 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0
        || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0
        || connect(fd, (struct sockaddr *)&config.address, sizeof config.address) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * One TLS connection: handshake, first decrypted byte, read to the end. Returns 0 on success and
 * the latency in *latency; fills ssl_out (and keeps the connection open) when ssl_out != NULL.
 */
static int tls_connection(struct counters *c, int64_t *latency, SSL **ssl_out, int *fd_out)
{
    int64_t started = now_ns();
    int fd = connect_blocking();
    if (fd < 0) { count_error(c, &c->connect_errors); return -1; }
    SSL *ssl = SSL_new(client_tls);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
        ERR_clear_error();
        if (ssl != NULL) SSL_free(ssl);
        close(fd);
        count_error(c, &c->tls_errors);
        return -1;
    }
    char buffer[4096];
    int n = SSL_read(ssl, buffer, sizeof buffer);
    if (n <= 0) {
        ERR_clear_error();
        SSL_free(ssl);
        close(fd);
        count_error(c, &c->short_errors);
        return -1;
    }
    *latency = now_ns() - started;
    if (ssl_out != NULL) {
        *ssl_out = ssl;
        *fd_out = fd;
        return 0;
    }
    while (SSL_read(ssl, buffer, sizeof buffer) > 0) {
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    return 0;
}

static void *conn_tls_thread(void *argument)
{
    struct counters *c = argument;
    while (may_continue()) {
        int64_t latency;
        if (tls_connection(c, &latency, NULL, NULL) == 0) {
            record_latency(c, latency);
            count_completed(c);
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- msg mode */

/* Reads and drops `lines` greeting lines from a blocking socket; -1 on error or end of file. */
static int skip_greeting(int fd, int lines)
{
    char ch;
    while (lines > 0) {
        ssize_t n = read(fd, &ch, 1);
        if (n <= 0) return -1;
        if (ch == '\n') lines--;
    }
    return 0;
}

static void *msg_thread(void *argument)
{
    struct counters *c = argument;
    int count = config.connections;
    int *fds = calloc((size_t)count, sizeof(int));
    char *burst = malloc(config.request_length * (size_t)config.depth);
    if (fds == NULL || burst == NULL) die("malloc");
    for (int d = 0; d < config.depth; d++) memcpy(burst + d * config.request_length, config.request, config.request_length);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) die("epoll_create1");
    for (int i = 0; i < count; i++) {
        fds[i] = connect_blocking();
        if (fds[i] < 0 || skip_greeting(fds[i], config.skip_lines) < 0) {
            fprintf(stderr, "loadgen: msg: connection %d failed: %s\n", i, strerror(errno));
            exit(1);
        }
        int one = 1;
        if (setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt TCP_NODELAY");
        struct epoll_event interest = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &interest) < 0) die("epoll_ctl");
        /* DEPTH requests in flight from the start; each reply line sends one more. */
        if (write(fds[i], burst, config.request_length * (size_t)config.depth) < 0) die("write");
    }
    struct epoll_event events[256];
    char buffer[65536];
    while (atomic_load(&phase) != DONE) {
        int ready = epoll_wait(epoll, events, 256, 100);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int e = 0; e < ready; e++) {
            int fd = fds[events[e].data.u32];
            ssize_t n = read(fd, buffer, sizeof buffer);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) continue;
                fprintf(stderr, "loadgen: msg: the server closed a connection (%s)\n", n == 0 ? "end of file" : strerror(errno));
                count_error(c, &c->reset_errors);
                atomic_store(&phase, DONE);
                break;
            }
            int replies = 0;
            for (ssize_t i = 0; i < n; i++) replies += buffer[i] == '\n';
            if (measuring()) c->completed += replies;
            /* Keep the window full: as many new requests as replies came (blocking write). */
            while (replies > 0) {
                int k = replies < config.depth ? replies : config.depth;
                if (write(fd, burst, config.request_length * (size_t)k) < 0) die("write");
                replies -= k;
            }
        }
    }
    for (int i = 0; i < count; i++) close(fds[i]);
    close(epoll);
    free(fds);
    free(burst);
    return NULL;
}

/* ---------------------------------------------------------------- hold mode */

struct held {
    int fd;
    SSL *ssl;
};

static struct held *held;
static _Atomic long held_next, held_count;

static void *hold_thread(void *argument)
{
    struct counters *c = argument;
    for (;;) {
        long i = atomic_fetch_add(&held_next, 1);
        if (i >= config.max_count || atomic_load(&phase) == DONE) break;
        if (config.tls) {
            int64_t latency;
            if (tls_connection(c, &latency, &held[i].ssl, &held[i].fd) < 0) { held[i].fd = -1; continue; }
        } else {
            held[i].fd = connect_blocking();
            if (held[i].fd < 0) { count_error(c, &c->connect_errors); continue; }
            if (skip_greeting(held[i].fd, 1) < 0) {
                count_error(c, &c->short_errors);
                close(held[i].fd);
                held[i].fd = -1;
                continue;
            }
        }
        atomic_fetch_add(&held_count, 1);
    }
    return NULL;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fprintf(stderr,
        "usage: loadgen conn|msg|hold -p PORT [-a 127.0.0.1] [-t THREADS] [-c CONNS_PER_THREAD] [-W WARMUP_S]\n"
        "               [-d SECONDS] [-n MAX] [-P DEPTH] [-r REQUEST] [-s SKIP_LINES] [--tls]\n");
    exit(2);
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double percentile_us(uint32_t *sorted, size_t n, double p)
{
    if (n == 0) return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i] / 1000.0;
}

/* Unescapes \n and \r in -r, so that "PING\r\n" can be given on a command line. */
static char *unescape(const char *text, size_t *length)
{
    char *out = malloc(strlen(text) + 1);
    if (out == NULL) die("malloc");
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (p[0] == '\\' && p[1] == 'n') { out[n++] = '\n'; p++; }
        else if (p[0] == '\\' && p[1] == 'r') { out[n++] = '\r'; p++; }
        else out[n++] = *p;
    }
    out[n] = 0;
    *length = n;
    return out;
}

static void sleep_seconds(double seconds)
{
    struct timespec t = { .tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) usage();
    config.mode = argv[1];
    config.address.sin_family = AF_INET;
    config.address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--tls") == 0) { config.tls = 1; continue; }
        if (v == NULL) usage();
        i++;
        if (strcmp(a, "-p") == 0) port = atoi(v);
        else if (strcmp(a, "-a") == 0) {
            /* Loopback only: the benchmark never sends traffic off this machine. */
            if (inet_pton(AF_INET, v, &config.address.sin_addr) != 1 || (ntohl(config.address.sin_addr.s_addr) >> 24) != 127) {
                fprintf(stderr, "loadgen: -a must be an IPv4 loopback address (127.0.0.0/8)\n");
                return 2;
            }
        }
        else if (strcmp(a, "-t") == 0) config.threads = atoi(v);
        else if (strcmp(a, "-c") == 0) config.connections = atoi(v);
        else if (strcmp(a, "-W") == 0) config.warmup = atof(v);
        else if (strcmp(a, "-d") == 0) config.duration = atof(v);
        else if (strcmp(a, "-n") == 0) config.max_count = atol(v);
        else if (strcmp(a, "-P") == 0) config.depth = atoi(v);
        else if (strcmp(a, "-r") == 0) config.request = v;
        else if (strcmp(a, "-s") == 0) config.skip_lines = atoi(v);
        else usage();
    }
    if (port <= 0 || port > 65535 || config.threads < 1 || config.threads > MAX_THREADS || config.connections < 1
        || config.depth < 1 || config.duration <= 0 || config.duration > 600 || config.warmup < 0) usage();
    config.address.sin_port = htons((uint16_t)port);
    config.request = unescape(config.request, &config.request_length);
    if (config.request_length == 0) usage();
    int hold = strcmp(config.mode, "hold") == 0;
    if (!hold && strcmp(config.mode, "conn") != 0 && strcmp(config.mode, "msg") != 0) usage();
    if (hold && config.max_count <= 0) usage();

    /* Many sockets at once (hold mode): raise the soft fd limit to the hard one, getrlimit(2). */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) < 0) die("getrlimit");
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) < 0) die("setrlimit");
    if (hold && (rlim_t)config.max_count + 64 > files.rlim_cur) {
        fprintf(stderr, "loadgen: hold %ld connections needs RLIMIT_NOFILE above %ld (it is %ld)\n",
            config.max_count, config.max_count + 64, (long)files.rlim_cur);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    if (config.tls) {
        client_tls = SSL_CTX_new(TLS_client_method());
        if (client_tls == NULL || SSL_CTX_set_min_proto_version(client_tls, TLS1_3_VERSION) != 1) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
        /* Full handshakes only (no resumption) and no certificate check: the load, not the trust. */
        SSL_CTX_set_session_cache_mode(client_tls, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_verify(client_tls, SSL_VERIFY_NONE, NULL);
    }

    struct counters counters[MAX_THREADS];
    memset(counters, 0, sizeof counters);
    void *(*body)(void *) = hold ? hold_thread
        : strcmp(config.mode, "msg") == 0 ? msg_thread
        : config.tls ? conn_tls_thread : conn_plain_thread;
    if (hold) {
        held = calloc((size_t)config.max_count, sizeof *held);
        if (held == NULL) die("calloc");
        atomic_store(&phase, MEASURE);
    }

    int64_t started = now_ns();
    for (int i = 0; i < config.threads; i++) {
        counters[i].index = i;
        int e = pthread_create(&counters[i].thread, NULL, body, &counters[i]);
        if (e != 0) { errno = e; die("pthread_create"); }
    }

    double seconds;
    if (hold) {
        for (int i = 0; i < config.threads; i++) pthread_join(counters[i].thread, NULL);
        seconds = (double)(now_ns() - started) / 1e9;
        long errors = 0;
        for (int i = 0; i < config.threads; i++) errors += counters[i].errors;
        printf("{\"holding\":%ld,\"errors\":%ld,\"open_seconds\":%.3f}\n", atomic_load(&held_count), errors, seconds);
        fflush(stdout);
        /* Hold until standard input closes (the harness is done sampling) or the time bound. */
        struct pollfd in = { .fd = 0, .events = POLLIN };
        int64_t deadline = now_ns() + (int64_t)(config.duration * 1e9);
        char scratch[256];
        while (now_ns() < deadline) {
            int r = poll(&in, 1, 200);
            if (r > 0 && read(0, scratch, sizeof scratch) <= 0) break;
        }
        for (long i = 0; i < config.max_count; i++) {
            if (held[i].ssl != NULL) SSL_free(held[i].ssl);
            if (held[i].fd > 0) close(held[i].fd);
        }
        return 0;
    }

    sleep_seconds(config.warmup);
    atomic_store(&phase, MEASURE);
    int64_t measure_start = now_ns();
    printf("measure-start\n");
    fflush(stdout);
    /* Ends at the time bound, or earlier when -n connections completed. */
    while (atomic_load(&phase) == MEASURE && now_ns() - measure_start < (int64_t)(config.duration * 1e9)) {
        sleep_seconds(0.01);
    }
    atomic_store(&phase, DONE);
    seconds = (double)(now_ns() - measure_start) / 1e9;
    printf("measure-end\n");
    fflush(stdout);
    for (int i = 0; i < config.threads; i++) pthread_join(counters[i].thread, NULL);

    struct counters sum = { 0 };
    for (int i = 0; i < config.threads; i++) {
        struct counters *c = &counters[i];
        sum.completed += c->completed;
        sum.errors += c->errors;
        sum.connect_errors += c->connect_errors;
        sum.reset_errors += c->reset_errors;
        sum.timeout_errors += c->timeout_errors;
        sum.short_errors += c->short_errors;
        sum.tls_errors += c->tls_errors;
        sum.latency_count += c->latency_count;
    }
    uint32_t *all = malloc((sum.latency_count ? sum.latency_count : 1) * sizeof(uint32_t));
    if (all == NULL) die("malloc");
    size_t k = 0;
    for (int i = 0; i < config.threads; i++) {
        if (counters[i].latency_count) memcpy(all + k, counters[i].latencies_ns, counters[i].latency_count * sizeof(uint32_t));
        k += counters[i].latency_count;
    }
    qsort(all, sum.latency_count, sizeof(uint32_t), compare_u32);
    printf("{\"mode\":\"%s\",\"tls\":%s,\"seconds\":%.3f,\"completed\":%ld,\"rate\":%.1f,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"samples\":%zu,\"errors\":%ld,"
           "\"connect_errors\":%ld,\"reset_errors\":%ld,\"timeout_errors\":%ld,\"short_errors\":%ld,\"tls_errors\":%ld}\n",
        config.mode, config.tls ? "true" : "false", seconds, sum.completed, (double)sum.completed / seconds,
        percentile_us(all, sum.latency_count, 0.50), percentile_us(all, sum.latency_count, 0.99), sum.latency_count,
        sum.errors, sum.connect_errors, sum.reset_errors, sum.timeout_errors, sum.short_errors, sum.tls_errors);
    return 0;
}
