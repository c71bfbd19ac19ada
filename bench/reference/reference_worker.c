/*
 * The C reference worker: epoll on its channel and on the connections it keeps, recvmsg with
 * MSG_CMSG_CLOEXEC | MSG_DONTWAIT until EAGAIN, "HI\n" on every connection, then close (greet) or
 * keep it until the client closes (hold). With TLS: a blocking SSL_accept before the greeting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "reference.h"

#define MAX_FDS_PER_RECORD 16
#define MAX_FD 65536

static const char greeting[] = "HI\n";

/* The TLS session of each held connection, by fd; NULL for plain ones. */
static SSL *sessions[MAX_FD];

/*
 * Receives one record and the fds it carries into fds; returns how many fds (0 for a record
 * without any), -1 on EAGAIN, -2 at end of file (the listener is gone). recvmsg(2), cmsg(3).
 */
static int receive_fds(int channel, int *fds)
{
    char payload[16];
    struct iovec iov = { .iov_base = payload, .iov_len = sizeof payload };
    union {
        char buffer[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_RECORD)];
        struct cmsghdr align;
    } control;
    struct msghdr message = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.buffer,
        .msg_controllen = sizeof control.buffer,
    };
    /* MSG_CMSG_CLOEXEC: a received fd would otherwise leak into any child process, unix(7). */
    ssize_t received = recvmsg(channel, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return -1;
        die("recvmsg");
    }
    if (received == 0) return -2;
    /* MSG_CTRUNC: the kernel closed the fds that did not fit; those connections are lost. */
    if (message.msg_flags & MSG_CTRUNC) fprintf(stderr, "reference: control data truncated, connections lost\n");
    int count = 0;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message); cmsg != NULL; cmsg = CMSG_NXTHDR(&message, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n && count < MAX_FDS_PER_RECORD; i++) {
            memcpy(&fds[count++], CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
        }
    }
    return count;
}

/* Closes a connection and frees its TLS session, if any. */
static void finish(int fd)
{
    if (fd >= 0 && fd < MAX_FD && sessions[fd] != NULL) {
        SSL_shutdown(sessions[fd]);
        SSL_free(sessions[fd]);
        sessions[fd] = NULL;
    }
    close(fd);
}

/*
 * Completes a TLS handshake on fd, blocking (the listener accepted it non-blocking and O_NONBLOCK
 * belongs to the shared open file description, fcntl(2)). A client that stalls is cut after 5 s by
 * SO_RCVTIMEO/SO_SNDTIMEO, socket(7). Returns the session, NULL on failure.
 */
static SSL *accept_tls(SSL_CTX *tls, int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) return NULL;
    struct timeval limit = { .tv_sec = 5 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0
        || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0) return NULL;
    SSL *ssl = SSL_new(tls);
    if (ssl == NULL) return NULL;
    if (SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
        ERR_clear_error();
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

/* Greets one received connection; returns 1 if it is to be kept (hold), 0 if it was closed. */
static int greet(int epoll, int fd, enum worker_mode mode, SSL_CTX *tls)
{
    int ok;
    if (tls != NULL) {
        SSL *ssl = accept_tls(tls, fd);
        if (ssl == NULL || fd >= MAX_FD) {
            if (ssl != NULL) SSL_free(ssl);
            close(fd);
            return 0;
        }
        sessions[fd] = ssl;
        ok = SSL_write(ssl, greeting, sizeof greeting - 1) == (int)(sizeof greeting - 1);
    } else {
        /* A fresh connection has an empty send buffer: 3 bytes go out at once, write(2). */
        ok = write(fd, greeting, sizeof greeting - 1) == (ssize_t)(sizeof greeting - 1);
    }
    if (!ok || mode == MODE_GREET) {
        finish(fd);
        return 0;
    }
    struct epoll_event interest = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = fd };
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &interest) < 0) {
        finish(fd);
        return 0;
    }
    return 1;
}

/* A held connection became readable: drain it; close it at end of file or on an error. */
static void on_readable(int fd)
{
    char buffer[4096];
    for (;;) {
        ssize_t n;
        if (fd < MAX_FD && sessions[fd] != NULL) {
            int r = SSL_read(sessions[fd], buffer, sizeof buffer);
            if (r > 0) continue;
            ERR_clear_error();
            n = 0; /* close_notify, end of file or an error: either way the client is done */
        } else {
            n = read(fd, buffer, sizeof buffer);
            if (n > 0) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            if (n < 0 && errno == EINTR) continue;
        }
        /* Removal from the epoll set is implicit when the last reference closes, epoll(7). */
        finish(fd);
        return;
    }
}

void worker_run(int channel, enum worker_mode mode, SSL_CTX *tls)
{
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) die("epoll_create1");
    struct epoll_event interest = { .events = EPOLLIN, .data.fd = channel };
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, channel, &interest) < 0) die("epoll_ctl");

    struct epoll_event events[256];
    for (;;) {
        int ready = epoll_wait(epoll, events, 256, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd != channel) {
                on_readable(fd);
                continue;
            }
            /* Drain the channel until EAGAIN: several records may wait behind one wake-up. */
            for (;;) {
                int fds[MAX_FDS_PER_RECORD];
                int count = receive_fds(channel, fds);
                if (count == -1) break;
                if (count == -2) _exit(0);
                for (int j = 0; j < count; j++) greet(epoll, fds[j], mode, tls);
            }
        }
    }
}
