
/*
 * login-client: the load generator of bench/login.
 *
 * POSTs COUNT pre-made bodies (one a line in FILE, from line SKIP on), each
 * exactly once, over CONNS keep-alive connections (one thread each), and
 * checks every answer: the status must be 303 and a Set-Cookie must set
 * COOKIE to a non-empty value.  Prints one JSON object: requests/s over the
 * wall time of the whole batch, latency percentiles, failures (with the
 * first failed answer's head), and the client's own CPU use.
 *
 *   login-client -p PORT -P PATH -f FILE -n COUNT [-s SKIP] [-c CONNS]
 *                -C COOKIE [-H "Header: value"]...
 */


#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


#define MAX_HEADERS  8
#define RESP_MAX     (64 * 1024)


typedef struct {
    char    *data;
    size_t   len;
} req_t;


static int               port;
static const char       *path;
static const char       *cookie;
static req_t            *reqs;
static long              nreqs;
static double           *lat;
static long              next_req;
static long              failed;
static char              first_failure[512];
static pthread_mutex_t   lock = PTHREAD_MUTEX_INITIALIZER;


static double
now_s(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static int
connect_to(void)
{
    int                 fd, one;
    struct sockaddr_in  sa;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }

    one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }

    return fd;
}


static int
send_all(int fd, const char *p, size_t len)
{
    ssize_t  n;

    while (len > 0) {
        n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }

    return 0;
}


static const char *
find_header(const char *head, const char *end, const char *name,
    const char **from)
{
    size_t       nl;
    const char  *p;

    nl = strlen(name);

    for (p = *from; p < end; ) {
        const char *eol = memchr(p, '\n', (size_t) (end - p));

        if (eol == NULL) {
            break;
        }

        if ((size_t) (eol - p) > nl && strncasecmp(p, name, nl) == 0
            && p[nl] == ':')
        {
            *from = eol + 1;
            p += nl + 1;
            while (*p == ' ') {
                p++;
            }
            return p;
        }

        p = eol + 1;
    }

    (void) head;
    return NULL;
}


/*
 * Reads one answer; returns 0 and sets *ok (303 + cookie) and *close,
 * or -1 on a connection error.
 */
static int
read_answer(int fd, char *buf, int *ok, int *close_conn)
{
    int          status, chunked;
    long         clen;
    size_t       have, need, hlen;
    ssize_t      n;
    char        *hend;
    const char  *v, *from;

    have = 0;
    hend = NULL;

    while (hend == NULL) {
        if (have == RESP_MAX - 1) {
            return -1;
        }

        n = recv(fd, buf + have, RESP_MAX - 1 - have, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }

        have += (size_t) n;
        buf[have] = '\0';
        hend = strstr(buf, "\r\n\r\n");
    }

    hlen = (size_t) (hend - buf) + 4;

    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
        return -1;
    }

    clen = -1;
    chunked = 0;
    from = buf;
    v = find_header(buf, hend + 2, "Content-Length", &from);
    if (v != NULL) {
        clen = atol(v);
    }

    from = buf;
    v = find_header(buf, hend + 2, "Transfer-Encoding", &from);
    if (v != NULL && strncasecmp(v, "chunked", 7) == 0) {
        chunked = 1;
    }

    from = buf;
    v = find_header(buf, hend + 2, "Connection", &from);
    *close_conn = (v != NULL && strncasecmp(v, "close", 5) == 0);

    /* the session cookie, set to something */
    *ok = 0;
    if (status == 303) {
        from = buf;
        while ((v = find_header(buf, hend + 2, "Set-Cookie", &from))
               != NULL)
        {
            size_t cl = strlen(cookie);

            if (strncmp(v, cookie, cl) == 0 && v[cl] == '='
                && v[cl + 1] != ';' && v[cl + 1] != '\r')
            {
                *ok = 1;
                break;
            }
        }
    }

    if (!*ok) {
        pthread_mutex_lock(&lock);
        if (first_failure[0] == '\0') {
            snprintf(first_failure, sizeof(first_failure), "%.*s",
                     (int) (hlen < 500 ? hlen : 500), buf);
        }
        pthread_mutex_unlock(&lock);
    }

    /* the body */
    if (chunked) {
        while (strstr(hend + 4, "0\r\n\r\n") == NULL) {
            if (have == RESP_MAX - 1) {
                return -1;
            }
            n = recv(fd, buf + have, RESP_MAX - 1 - have, 0);
            if (n <= 0) {
                return -1;
            }
            have += (size_t) n;
            buf[have] = '\0';
        }

    } else if (clen > 0) {
        need = hlen + (size_t) clen;

        while (have < need) {
            if (need > RESP_MAX - 1) {
                return -1;
            }
            n = recv(fd, buf + have, need - have, 0);
            if (n <= 0) {
                return -1;
            }
            have += (size_t) n;
        }
    }

    return 0;
}


static void *
worker(void *arg)
{
    int      fd, ok, close_conn, retried;
    long     i;
    char    *buf;
    double   t0;

    (void) arg;

    buf = malloc(RESP_MAX);
    fd = -1;

    for ( ;; ) {
        i = __atomic_fetch_add(&next_req, 1, __ATOMIC_RELAXED);
        if (i >= nreqs) {
            break;
        }

        retried = 0;

    again:

        if (fd < 0) {
            fd = connect_to();
            if (fd < 0) {
                __atomic_fetch_add(&failed, 1, __ATOMIC_RELAXED);
                lat[i] = -1;
                continue;
            }
        }

        t0 = now_s();

        if (send_all(fd, reqs[i].data, reqs[i].len) != 0
            || read_answer(fd, buf, &ok, &close_conn) != 0)
        {
            close(fd);
            fd = -1;

            /* a keep-alive connection the server closed meanwhile */
            if (!retried) {
                retried = 1;
                goto again;
            }

            __atomic_fetch_add(&failed, 1, __ATOMIC_RELAXED);
            lat[i] = -1;
            continue;
        }

        lat[i] = now_s() - t0;

        if (!ok) {
            __atomic_fetch_add(&failed, 1, __ATOMIC_RELAXED);
        }

        if (close_conn) {
            close(fd);
            fd = -1;
        }
    }

    if (fd >= 0) {
        close(fd);
    }

    free(buf);

    return NULL;
}


static int
cmp_double(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}


int
main(int argc, char **argv)
{
    int              c, conns, nhdr;
    long             i, skip, count, n, line;
    char            *hdrs[MAX_HEADERS], *p, *file_data;
    size_t           hl, fsize;
    FILE            *f;
    double           t0, t1, cpu, *ok_lat;
    pthread_t       *th;
    struct rusage    ru;
    const char      *file;

    port = 0;
    path = NULL;
    file = NULL;
    cookie = NULL;
    conns = 4;
    skip = 0;
    count = 0;
    nhdr = 0;

    while ((c = getopt(argc, argv, "p:P:f:n:s:c:C:H:")) != -1) {
        switch (c) {
        case 'p': port = atoi(optarg); break;
        case 'P': path = optarg; break;
        case 'f': file = optarg; break;
        case 'n': count = atol(optarg); break;
        case 's': skip = atol(optarg); break;
        case 'c': conns = atoi(optarg); break;
        case 'C': cookie = optarg; break;
        case 'H':
            if (nhdr < MAX_HEADERS) {
                hdrs[nhdr++] = optarg;
            }
            break;
        default:
            fprintf(stderr, "usage: login-client -p port -P path -f file "
                    "-n count [-s skip] [-c conns] -C cookie [-H hdr]\n");
            return 2;
        }
    }

    if (port == 0 || path == NULL || file == NULL || cookie == NULL
        || count < 1 || conns < 1)
    {
        fprintf(stderr, "login-client: -p, -P, -f, -n and -C are needed\n");
        return 2;
    }

    f = fopen(file, "r");
    if (f == NULL) {
        perror(file);
        return 1;
    }

    reqs = calloc((size_t) count, sizeof(req_t));
    lat = calloc((size_t) count, sizeof(double));

    /* the requests, complete, before the clock starts */
    hl = 512 + strlen(path);
    for (c = 0; c < nhdr; c++) {
        hl += strlen(hdrs[c]) + 2;
    }

    n = 0;
    line = 0;
    file_data = NULL;
    fsize = 0;

    while (n < count) {
        ssize_t  got;
        size_t   blen;
        int      k;

        got = getline(&file_data, &fsize, f);
        if (got <= 0) {
            break;
        }

        if (line++ < skip) {
            continue;
        }

        blen = (size_t) got;
        if (blen > 0 && file_data[blen - 1] == '\n') {
            blen--;
        }

        reqs[n].data = malloc(hl + blen);
        reqs[n].len = (size_t) snprintf(reqs[n].data, hl,
                       "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: %zu\r\n", path, port, blen);
        for (k = 0; k < nhdr; k++) {
            reqs[n].len += (size_t) snprintf(reqs[n].data + reqs[n].len,
                                             hl - reqs[n].len, "%s\r\n",
                                             hdrs[k]);
        }
        reqs[n].len += (size_t) snprintf(reqs[n].data + reqs[n].len,
                                         hl - reqs[n].len, "\r\n");
        memcpy(reqs[n].data + reqs[n].len, file_data, blen);
        reqs[n].len += blen;
        n++;
    }

    free(file_data);
    fclose(f);

    if (n < count) {
        fprintf(stderr, "login-client: %s has only %ld bodies after line "
                "%ld, %ld needed\n", file, n, skip, count);
        return 1;
    }

    nreqs = count;
    th = calloc((size_t) conns, sizeof(pthread_t));

    getrusage(RUSAGE_SELF, &ru);
    cpu = -(ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
            + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);

    t0 = now_s();

    for (i = 0; i < conns; i++) {
        pthread_create(&th[i], NULL, worker, NULL);
    }

    for (i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
    }

    t1 = now_s();

    getrusage(RUSAGE_SELF, &ru);
    cpu += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

    /* latency of the answered requests */
    ok_lat = malloc((size_t) count * sizeof(double));
    n = 0;
    for (i = 0; i < count; i++) {
        if (lat[i] >= 0) {
            ok_lat[n++] = lat[i];
        }
    }

    qsort(ok_lat, (size_t) n, sizeof(double), cmp_double);

    printf("{\"requests\": %ld, \"failed\": %ld, \"seconds\": %.4f, "
           "\"rps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
           "\"client_cpu\": %.3f, \"first_failure\": \"",
           count, failed, t1 - t0, (double) count / (t1 - t0),
           n ? ok_lat[(n - 1) / 2] * 1000 : 0.0,
           n ? ok_lat[(size_t) ((double) (n - 1) * 0.99)] * 1000 : 0.0,
           cpu / (t1 - t0));

    for (p = first_failure; *p; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p == '\r') {
            continue;
        } else if (*p == '\n') {
            printf("\\n");
        } else if ((unsigned char) *p >= 0x20) {
            putchar(*p);
        }
    }

    printf("\"}\n");

    return 0;
}
