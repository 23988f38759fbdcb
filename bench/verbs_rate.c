// SPDX-License-Identifier: GPL-2.0
/*
 * verbs_rate: create+destroy rate of verbs objects, the control path the
 * rdma cgroup charges.  Prints one line per object type:
 *   <type> <threads> <ops/s>
 * Each thread opens its own device context and loops for DURATION
 * seconds creating and destroying one object of the type.
 *
 * usage: verbs_rate -d DEV [-t THREADS] [-s SECONDS] [-o pd,cq,qp,mr,qpmod]
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

static int qp_to_rts(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .pkey_index = 0, .port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE,
	};
	union ibv_gid gid;

	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;
	if (ibv_query_gid(qp->context, 1, 1, &gid))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = qp->qp_num;
	a.rq_psn = 1;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = gid;
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

int main(int argc, char **argv)
{
	char *types = strdup("pd,cq,qp,mr"), *t, *save;
	int threads = 1, opt, i, rc = 0;

	while ((opt = getopt(argc, argv, "d:t:s:o:")) != -1) {
		switch (opt) {
		case 'd': devname = optarg; break;
		case 't': threads = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'o': free(types); types = strdup(optarg); break;
		default:
			fprintf(stderr, "usage: %s -d DEV [-t THREADS] [-s SECONDS] [-o pd,cq,qp,mr,qpmod]\n",
				argv[0]);
			return 2;
		}
	}
	if (!devname || threads < 1)
		return 2;
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
