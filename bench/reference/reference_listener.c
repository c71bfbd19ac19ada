/*
 * The C reference listener: epoll + accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) until EAGAIN, and one
 * sendmsg(SCM_RIGHTS) per accepted fd, round-robin, to forked workers over SOCK_SEQPACKET pairs.
 *
 *   reference -p PORT [-w WORKERS] [-m greet|hold] [-c CERT.pem -k KEY.pem]
 *
 * Listens on 127.0.0.1:PORT only, prints "ready PORT" on standard output once it accepts, and stops
 * on SIGTERM or SIGINT (workers die with it: PR_SET_PDEATHSIG, and end of file on their channel).
 * Built by the benchmark harness with: cc -O2 -o reference reference_*.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reference.h"

#define MAX_WORKERS 16

static volatile sig_atomic_t stopping;

static void on_stop(int signal_number)
{
    (void)signal_number;
    stopping = 1;
}

void die(const char *what)
{
    fprintf(stderr, "reference: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: reference -p PORT [-w WORKERS] [-m greet|hold] [-c CERT.pem -k KEY.pem]\n");
    exit(2);
}

/* A server context for TLS 1.3 only, like the product's dispatchers; NULL without a certificate. */
static SSL_CTX *tls_context(const char *cert, const char *key)
{
    if (cert == NULL) return NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL
        || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1
        || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_print_errors_fp(stderr);
        fprintf(stderr, "reference: cannot load %s / %s\n", cert, key);
        exit(1);
    }
    /* Full handshakes only: the benchmark measures their cost, not resumption's. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    return ctx;
}

/*
 * Hands one fd to a worker: a 1-byte payload (SEQPACKET records of length 0 are legal but easy to
 * confuse with end of file) and one SCM_RIGHTS control message, cmsg(3) and unix(7). A blocking
 * channel: a worker that falls behind makes the listener wait, bounded by the socket's wmem.
 * MSG_NOSIGNAL: a dead worker gives EPIPE, not SIGPIPE (send(2)).
 */
static int send_fd(int channel, int fd)
{
    char payload = 'C';
    struct iovec iov = { .iov_base = &payload, .iov_len = 1 };
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align; /* CMSG_* need the buffer aligned as a cmsghdr, cmsg(3) */
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr message = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = sizeof control.buffer,
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t sent;
    do {
        sent = sendmsg(channel, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int port = 0, workers = 2;
    enum worker_mode mode = MODE_GREET;
    const char *cert = NULL, *key = NULL;
    int option;
    while ((option = getopt(argc, argv, "p:w:m:c:k:")) != -1) {
        switch (option) {
        case 'p': port = atoi(optarg); break;
        case 'w': workers = atoi(optarg); break;
        case 'm':
            if (strcmp(optarg, "greet") == 0) mode = MODE_GREET;
            else if (strcmp(optarg, "hold") == 0) mode = MODE_HOLD;
            else usage();
            break;
        case 'c': cert = optarg; break;
        case 'k': key = optarg; break;
        default: usage();
        }
    }
    if (port <= 0 || port > 65535 || workers < 1 || workers > MAX_WORKERS || (cert == NULL) != (key == NULL)) usage();
    SSL_CTX *tls = tls_context(cert, key);

    /* A worker may hold 10,000 connections (memory runs): soft fd limit up to the hard one, getrlimit(2). */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) < 0) die("getrlimit");
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) < 0) die("setrlimit");

    /* The workers first, so that they inherit neither the listening socket nor the other channels. */
    int channels[MAX_WORKERS];
    pid_t children[MAX_WORKERS];
    for (int i = 0; i < workers; i++) {
        int pair[2];
        /* SOCK_SEQPACKET keeps record boundaries: one record, one connection, unix(7). */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) die("socketpair");
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            /* prctl(2): the worker gets SIGTERM if the listener dies, whatever killed it. */
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("prctl");
            for (int j = 0; j < i; j++) close(channels[j]);
            close(pair[0]);
            worker_run(pair[1], mode, tls);
        }
        close(pair[1]);
        channels[i] = pair[0];
        children[i] = pid;
    }

    struct sigaction stop = { .sa_handler = on_stop };
    sigemptyset(&stop.sa_mask);
    if (sigaction(SIGTERM, &stop, NULL) < 0 || sigaction(SIGINT, &stop, NULL) < 0) die("sigaction");

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) die("socket");
    int one = 1;
    /* SO_REUSEADDR: a restart binds again while old connections sit in TIME_WAIT, socket(7). */
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt SO_REUSEADDR");
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
    if (listen(listener, 511) < 0) die("listen");

    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) die("epoll_create1");
    struct epoll_event interest = { .events = EPOLLIN, .data.fd = listener };
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &interest) < 0) die("epoll_ctl");

    printf("ready %d\n", port);
    if (fflush(stdout) != 0) die("fflush");

    unsigned long next = 0, handed = 0, failed = 0;
    while (!stopping) {
        struct epoll_event event;
        int ready = epoll_wait(epoll, &event, 1, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        /* Accept until EAGAIN: one wake-up may stand for many queued connections, epoll(7). */
        for (;;) {
            int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
                /* accept(2): errors of the new connection (ECONNABORTED, EMFILE...) are not fatal. */
                failed++;
                break;
            }
            int worker = (int)(next++ % (unsigned long)workers);
            if (send_fd(channels[worker], fd) == 0) handed++;
            else failed++;
            /* The worker holds its own reference now; this close is a plain one, never abortive. */
            close(fd);
        }
    }

    fprintf(stderr, "reference: stopping; handed %lu, failed %lu\n", handed, failed);
    for (int i = 0; i < workers; i++) close(channels[i]);
    for (int i = 0; i < workers; i++) {
        kill(children[i], SIGTERM);
        if (waitpid(children[i], NULL, 0) < 0) die("waitpid");
    }
    return 0;
}
