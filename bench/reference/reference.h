/*
 * The C reference of the handoff benchmark: what a listener and its workers cost when nothing
 * stands between the program and the kernel. It is the yardstick of issue 7, not a product.
 *
 * reference_listener.c accepts and hands every connection to a worker over AF_UNIX SOCK_SEQPACKET
 * with SCM_RIGHTS; reference_worker.c greets the client ("HI\n") and closes, or keeps it open.
 */
#ifndef SD_BENCH_REFERENCE_H
#define SD_BENCH_REFERENCE_H

#include <openssl/ssl.h>

/* What a worker does with each connection it receives. */
enum worker_mode {
    MODE_GREET, /* write "HI\n", close: the handoff benchmark */
    MODE_HOLD,  /* write "HI\n", keep the connection until the client closes: the memory benchmark */
};

/*
 * Runs a worker on its end of the channel until the listener goes away (end of file on the
 * channel). tls is NULL for plain TCP. Never returns.
 */
void worker_run(int channel, enum worker_mode mode, SSL_CTX *tls);

/* Prints "reference: what: strerror(errno)" on stderr and exits 1. */
void die(const char *what);

#endif
