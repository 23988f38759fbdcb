// SPDX-License-Identifier: GPL-2.0
/*
 * verbs_rate: create+destroy rate of verbs objects, the control path the
 * rdma cgroup charges.
 *
 * Rate mode (default) prints one line per object type:
 *   <type> <threads> <ops/s>
 * Each thread opens its own device context and loops for DURATION
 * seconds creating and destroying one object of the type.
 *
 * Count mode (-n COUNT) runs one thread and times a fixed number of
 * operations one by one, REPS times per type, and prints one line per
 * repetition with the median:
 *   <type> <rep> <median ns per operation>
 * A fixed amount of work is what the icount bench needs: there the guest's
 * clock counts instructions, so the figure is instructions per operation.
 * The median leaves out what lands on a few operations only (a timer
 * tick, a batch of RCU callbacks freeing earlier objects): a mean over
 * 1,000 operations moved by 5-20 % between repetitions with it.
 * Types: pd, cq, mr, qp (create+destroy), ah (create+destroy of a RoCE
 * address handle on GID index 1), qpmod (RC QP INIT->RTR->RTS: only the
 * three modify calls are timed, not the create and destroy around them nor
 * the query of the GID the path uses, which is done once).
 *
 * usage: verbs_rate -d DEV [-t THREADS] [-s SECONDS] [-n COUNT [-r REPS]]
 *                   [-o pd,cq,qp,mr,qpmod,ah]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/verbs.h>

static const char *devname;
static double seconds = 2.0;

struct job {
	const char *type;
	pthread_t thr;
	unsigned long ops;
	int err;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct ibv_context *open_dev(void)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_context *ctx = NULL;
	int i;

	for (i = 0; list && list[i]; i++)
		if (!strcmp(ibv_get_device_name(list[i]), devname))
			ctx = ibv_open_device(list[i]);
	ibv_free_device_list(list);
	return ctx;
}

/* The GID at index 1 of port 1: the path's source and destination. */
static union ibv_gid path_gid;

static int qp_to_rts(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .pkey_index = 0, .port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE,
	};

	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = qp->qp_num;
	a.rq_psn = 1;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = path_gid;
	a.ah_attr.grh.sgid_index = 1;
	a.ah_attr.grh.hop_limit = 1;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = 1;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct ibv_context *ctx = open_dev();
	struct ibv_pd *pd = NULL;
	struct ibv_cq *cq = NULL;
	static char buf[4096];
	double end;

	if (!ctx || !(pd = ibv_alloc_pd(ctx)) ||
	    !(cq = ibv_create_cq(ctx, 16, NULL, NULL, 0))) {
		j->err = errno ? errno : EIO;
		goto out;
	}
	end = now() + seconds;
	while (now() < end) {
		int k;

		for (k = 0; k < 16; k++) {
			if (!strcmp(j->type, "pd")) {
				struct ibv_pd *p = ibv_alloc_pd(ctx);

				if (!p || ibv_dealloc_pd(p))
					goto fail;
			} else if (!strcmp(j->type, "cq")) {
				struct ibv_cq *c = ibv_create_cq(ctx, 16, NULL, NULL, 0);

				if (!c || ibv_destroy_cq(c))
					goto fail;
			} else if (!strcmp(j->type, "mr")) {
				struct ibv_mr *m = ibv_reg_mr(pd, buf, sizeof(buf),
							      IBV_ACCESS_LOCAL_WRITE);

				if (!m || ibv_dereg_mr(m))
					goto fail;
			} else {
				struct ibv_qp_init_attr ia = {
					.send_cq = cq, .recv_cq = cq,
					.qp_type = IBV_QPT_RC,
					.cap = { .max_send_wr = 4, .max_recv_wr = 4,
						 .max_send_sge = 1, .max_recv_sge = 1 },
				};
				struct ibv_qp *q = ibv_create_qp(pd, &ia);

				if (!q)
					goto fail;
				if (!strcmp(j->type, "qpmod") && qp_to_rts(q)) {
					ibv_destroy_qp(q);
					goto fail;
				}
				if (ibv_destroy_qp(q))
					goto fail;
			}
			j->ops++;
		}
	}
	goto out;
fail:
	j->err = errno ? errno : EIO;
out:
	if (cq)
		ibv_destroy_cq(cq);
	if (pd)
		ibv_dealloc_pd(pd);
	if (ctx)
		ibv_close_device(ctx);
	return NULL;
}

/* One operation of count mode; *timed_ns gets the time to count. */
static int one_op(const char *type, struct ibv_context *ctx, struct ibv_pd *pd,
		  struct ibv_cq *cq, long long *timed_ns)
{
	static char buf[4096];
	long long t0 = now_ns();

	if (!strcmp(type, "pd")) {
		struct ibv_pd *p = ibv_alloc_pd(ctx);

		if (!p || ibv_dealloc_pd(p))
			return -1;
	} else if (!strcmp(type, "cq")) {
		struct ibv_cq *c = ibv_create_cq(ctx, 16, NULL, NULL, 0);

		if (!c || ibv_destroy_cq(c))
			return -1;
	} else if (!strcmp(type, "mr")) {
		struct ibv_mr *m = ibv_reg_mr(pd, buf, sizeof(buf),
					      IBV_ACCESS_LOCAL_WRITE);

		if (!m || ibv_dereg_mr(m))
			return -1;
	} else if (!strcmp(type, "ah")) {
		struct ibv_ah_attr aa = {
			.is_global = 1, .port_num = 1,
			.grh = { .sgid_index = 1, .hop_limit = 1 },
		};
		struct ibv_ah *ah;

		if (ibv_query_gid(ctx, 1, 1, &aa.grh.dgid))
			return -1;
		t0 = now_ns();
		ah = ibv_create_ah(pd, &aa);
		if (!ah || ibv_destroy_ah(ah))
			return -1;
	} else if (!strcmp(type, "qp") || !strcmp(type, "qpmod")) {
		struct ibv_qp_init_attr ia = {
			.send_cq = cq, .recv_cq = cq, .qp_type = IBV_QPT_RC,
			.cap = { .max_send_wr = 4, .max_recv_wr = 4,
				 .max_send_sge = 1, .max_recv_sge = 1 },
		};
		struct ibv_qp *q = ibv_create_qp(pd, &ia);
		long long t1;

		if (!q)
			return -1;
		if (!strcmp(type, "qpmod")) {
			t0 = now_ns();
			if (qp_to_rts(q)) {
				ibv_destroy_qp(q);
				return -1;
			}
			t1 = now_ns();
			if (ibv_destroy_qp(q))
				return -1;
			*timed_ns += t1 - t0;
			return 0;
		}
		if (ibv_destroy_qp(q))
			return -1;
	} else {
		errno = EINVAL;
		return -1;
	}
	*timed_ns += now_ns() - t0;
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (sorts them). */
static double median(long long *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static int count_mode(char *types, long count, int reps)
{
	struct ibv_context *ctx = open_dev();
	struct ibv_pd *pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	struct ibv_cq *cq = pd ? ibv_create_cq(ctx, 16, NULL, NULL, 0) : NULL;
	char *t, *save;
	long long *ns;
	int rc = 0, r;
	long i;

	if (!cq) {
		fprintf(stderr, "%s: cannot open the device: %s\n", devname,
			strerror(errno ? errno : ENODEV));
		return 1;
	}
	ns = calloc(count, sizeof(*ns));
	if (!ns)
		return 1;
	for (t = strtok_r(types, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		for (r = 1; r <= reps && !rc; r++) {
			for (i = 0; i < count; i++) {
				ns[i] = 0;
				if (one_op(t, ctx, pd, cq, &ns[i])) {
					fprintf(stderr, "%s: operation %ld: %s\n", t, i,
						strerror(errno ? errno : EIO));
					rc = 1;
					break;
				}
			}
			if (!rc)
				printf("%s %d %.1f\n", t, r, median(ns, count));
			fflush(stdout);
		}
	}
	free(ns);
	ibv_destroy_cq(cq);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return rc;
}

int main(int argc, char **argv)
{
	char *types = strdup("pd,cq,qp,mr"), *t, *save;
	int threads = 1, opt, i, rc = 0, reps = 1;
	long count = 0;

	while ((opt = getopt(argc, argv, "d:t:s:o:n:r:")) != -1) {
		switch (opt) {
		case 'd': devname = optarg; break;
		case 't': threads = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'r': reps = atoi(optarg); break;
		case 'o': free(types); types = strdup(optarg); break;
		default:
			fprintf(stderr, "usage: %s -d DEV [-t THREADS] [-s SECONDS] [-n COUNT [-r REPS]] [-o pd,cq,qp,mr,qpmod,ah]\n",
				argv[0]);
			return 2;
		}
	}
	if (!devname || threads < 1 || count < 0 || reps < 1)
		return 2;
	{
		struct ibv_context *ctx = open_dev();

		if (!ctx || ibv_query_gid(ctx, 1, 1, &path_gid)) {
			fprintf(stderr, "%s: cannot read GID 1 of port 1\n", devname);
			return 1;
		}
		ibv_close_device(ctx);
	}
	if (count)
		return count_mode(types, count, reps);
	for (t = strtok_r(types, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct job *jobs = calloc(threads, sizeof(*jobs));
		unsigned long total = 0;
		double t0 = now(), el;

		for (i = 0; i < threads; i++) {
			jobs[i].type = t;
			pthread_create(&jobs[i].thr, NULL, run, &jobs[i]);
		}
		for (i = 0; i < threads; i++) {
			pthread_join(jobs[i].thr, NULL);
			total += jobs[i].ops;
			if (jobs[i].err) {
				fprintf(stderr, "%s: thread %d: %s\n", t, i, strerror(jobs[i].err));
				rc = 1;
			}
		}
		el = now() - t0;
		printf("%s %d %.0f\n", t, threads, total / el);
		fflush(stdout);
		free(jobs);
	}
	return rc;
}
