// SPDX-License-Identifier: GPL-2.0
/*
 * cm_rate: cost of one rdma_cm connection, the control path a container's
 * application pays per connect: resolve address and route, create an RC
 * QP, connect, disconnect, destroy.  A server thread in the same process
 * listens on ADDR:PORT and accepts with a QP of its own; the main thread
 * connects COUNT times, REPS times, and prints one line per repetition:
 *   cm <rep> <median ns of a connect+disconnect cycle>
 * Under the icount bench the guest's clock counts instructions, so the
 * figure is instructions per cycle (both sides, and rxe's work between).
 * -S runs the server only (until killed), -C the client only: the scale
 * suite connects from a container to a server in init_net.
 *
 * usage: cm_rate -a ADDR [-p PORT] [-n COUNT] [-r REPS] [-S | -C]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rdma/rdma_cma.h>

static struct sockaddr_storage addr;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int listening;		/* 1 listening, -errno failed */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int make_qp(struct rdma_cm_id *id)
{
	struct ibv_qp_init_attr ia = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	return rdma_create_qp(id, NULL, &ia);
}

static void set_listening(int v)
{
	pthread_mutex_lock(&lock);
	listening = v;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

static void *server(void *arg)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct rdma_conn_param cp = { .responder_resources = 1,
				      .initiator_depth = 1 };
	struct rdma_cm_id *lid = NULL, *id;
	struct rdma_cm_event *ev;

	if (!ch || rdma_create_id(ch, &lid, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(lid, (struct sockaddr *)&addr) || rdma_listen(lid, 16)) {
		set_listening(-(errno ? errno : EIO));
		return NULL;
	}
	set_listening(1);
	while (!rdma_get_cm_event(ch, &ev)) {
		id = ev->id;
		switch (ev->event) {
		case RDMA_CM_EVENT_CONNECT_REQUEST:
			rdma_ack_cm_event(ev);
			if (make_qp(id) || rdma_accept(id, &cp)) {
				perror("cm_rate: server: accept");
				if (id->qp)
					rdma_destroy_qp(id);
				rdma_destroy_id(id);
			}
			break;
		case RDMA_CM_EVENT_DISCONNECTED:
			rdma_ack_cm_event(ev);
			rdma_disconnect(id);
			rdma_destroy_qp(id);
			rdma_destroy_id(id);
			break;
		case RDMA_CM_EVENT_CONNECT_ERROR:
		case RDMA_CM_EVENT_UNREACHABLE:
		case RDMA_CM_EVENT_REJECTED:
			/* an accepted connection that failed: do not keep it */
			rdma_ack_cm_event(ev);
			if (id != lid) {
				if (id->qp)
					rdma_destroy_qp(id);
				rdma_destroy_id(id);
			}
			break;
		default:
			rdma_ack_cm_event(ev);
			break;
		}
	}
	return arg;
}

/* Wait for the event @want on the client's channel. */
static int expect(struct rdma_event_channel *ch, enum rdma_cm_event_type want)
{
	struct rdma_cm_event *ev;
	int got;

	if (rdma_get_cm_event(ch, &ev))
		return -1;
	got = ev->event;
	rdma_ack_cm_event(ev);
	if (got != (int)want) {
		fprintf(stderr, "cm_rate: got %s, wanted %s\n", rdma_event_str(got),
			rdma_event_str(want));
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int cycle(struct rdma_event_channel *ch)
{
	struct rdma_conn_param cp = { .responder_resources = 1,
				      .initiator_depth = 1, .retry_count = 7,
				      .rnr_retry_count = 7 };
	struct rdma_cm_id *id;
	int rc = -1;

	if (rdma_create_id(ch, &id, NULL, RDMA_PS_TCP))
		return -1;
	if (rdma_resolve_addr(id, NULL, (struct sockaddr *)&addr, 2000) ||
	    expect(ch, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(id, 2000) || expect(ch, RDMA_CM_EVENT_ROUTE_RESOLVED) ||
	    make_qp(id))
		goto out;
	if (rdma_connect(id, &cp) || expect(ch, RDMA_CM_EVENT_ESTABLISHED) ||
	    rdma_disconnect(id) || expect(ch, RDMA_CM_EVENT_DISCONNECTED))
		goto out;
	rc = 0;
out:
	if (id->qp)
		rdma_destroy_qp(id);
	rdma_destroy_id(id);
	return rc;
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = "19900";
	struct rdma_event_channel *ch;
	struct addrinfo *ai, hints = { .ai_flags = AI_NUMERICHOST };
	long long *ns;
	long count = 100, i;
	int reps = 1, opt, r, only = 0;
	pthread_t thr;

	while ((opt = getopt(argc, argv, "a:p:n:r:SC")) != -1) {
		switch (opt) {
		case 'S': case 'C': only = opt; break;
		case 'a': host = optarg; break;
		case 'p': port = optarg; break;
		case 'n': count = atol(optarg); break;
		case 'r': reps = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s -a ADDR [-p PORT] [-n COUNT] [-r REPS] [-S | -C]\n",
				argv[0]);
			return 2;
		}
	}
	if (!host || count < 1 || reps < 1)
		return 2;
	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "cm_rate: bad address %s\n", host);
		return 2;
	}
	memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);

	if (only != 'C') {
		pthread_create(&thr, NULL, server, NULL);
		pthread_mutex_lock(&lock);
		while (!listening)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
		if (listening < 0) {
			fprintf(stderr, "cm_rate: listen on %s: %s\n", host,
				strerror(-listening));
			return 1;
		}
		if (only == 'S') {
			printf("listening\n");
			fflush(stdout);
			pthread_join(thr, NULL);
			return 1;
		}
	}
	ch = rdma_create_event_channel();
	if (!ch)
		return 1;
	ns = calloc(count, sizeof(*ns));
	if (!ns)
		return 1;
	for (r = 1; r <= reps; r++) {
		for (i = 0; i < count; i++) {
			long long t0 = now_ns();

			if (cycle(ch)) {
				fprintf(stderr, "cm_rate: connection %ld: %s\n", i,
					strerror(errno ? errno : EIO));
				return 1;
			}
			ns[i] = now_ns() - t0;
		}
		qsort(ns, count, sizeof(*ns), cmp_ll);
		printf("cm %d %.1f\n", r, count % 2 ? (double)ns[count / 2] :
		       (ns[count / 2 - 1] + ns[count / 2]) / 2.0);
		fflush(stdout);
	}
	free(ns);
	return 0;
}
