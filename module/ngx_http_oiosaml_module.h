
/*
 * ngx_http_oiosaml_module: declarations shared by the module's files.
 */


#ifndef _NGX_HTTP_OIOSAML_MODULE_H_INCLUDED_
#define _NGX_HTTP_OIOSAML_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <oiosaml.h>


#define NGX_HTTP_OIOSAML_SESSION_ID_LEN    32   /* random bytes */
#define NGX_HTTP_OIOSAML_COOKIE_ID_LEN     43   /* base64url of the above */
#define NGX_HTTP_OIOSAML_KEY_LEN           32   /* SHA-256 of the ID */
#define NGX_HTTP_OIOSAML_HEADERS_ALL       ((1 << OIOSAML_F_MAX) - 1)
#define NGX_HTTP_OIOSAML_REQ_COOKIE        "oiosaml-req-"
#define NGX_HTTP_OIOSAML_SLO_COOKIE        "oiosaml-slo-"
#define NGX_HTTP_OIOSAML_B_COOKIE          "oiosaml-b"
#define NGX_HTTP_OIOSAML_B_COOKIE_AGE      (365 * 86400)
#define NGX_HTTP_OIOSAML_SHARED_FACTOR     10
#define NGX_HTTP_OIOSAML_IDP_COOKIE        "oiosaml-idp"
#define NGX_HTTP_OIOSAML_CSRF_COOKIE       "oiosaml-csrf"
#define NGX_HTTP_OIOSAML_MAX_BODY          (1024 * 1024)
#define NGX_HTTP_OIOSAML_HEADER_PREFIX     "X-OIOSAML-"


/* one oiosaml_sp_key line */
typedef struct {
    ngx_str_t                 key;
    ngx_str_t                 cert;
    time_t                    from;
    ngx_str_t                 file;      /* for error messages */
    ngx_uint_t                line;
} ngx_http_oiosaml_key_conf_t;


/* one oiosaml_idp line */
typedef struct {
    ngx_str_t                 id;
    ngx_str_t                 label;
    ngx_str_t                 metadata;
    oiosaml_profile_t         profile;
    oiosaml_signed_t          signed_part;
    oiosaml_loa_t             max_loa;
    int                       high_nist;
    ngx_str_t                 backup;
    ngx_str_t                 replaces;
    ngx_str_t                 ip;
    ngx_str_t                 next_cert;
    time_t                    next_from;
    time_t                    cert_grace;
    ngx_str_t                 metadata_signer;
    unsigned                  allow_sha1:1;
    unsigned                  require_encryption:1;
    unsigned                  hidden:1;
    unsigned                  down:1;
    ngx_str_t                 file;      /* for error messages */
    ngx_uint_t                line;
} ngx_http_oiosaml_idp_conf_t;


/* an IdP's metadata file, as this process last saw it */
typedef struct {
    const oiosaml_idp_t      *idp;
    time_t                    mtime;
    off_t                     size;
    time_t                    bad_mtime;    /* the last rejected version */
    off_t                     bad_size;
} ngx_http_oiosaml_mdfile_t;


/* one SP object, and its upkeep: metadata refresh, certificate warnings */
typedef struct {
    oiosaml_sp_t             *sp;
    uint32_t                  key;          /* crc32(entityID url) */
    ngx_uint_t                gen;          /* trust generation applied */
    ngx_array_t               files;        /* ngx_http_oiosaml_mdfile_t */
    time_t                    refresh;      /* 0: off */
    time_t                    cert_warn;
} ngx_http_oiosaml_sp_rec_t;


typedef struct ngx_http_oiosaml_store_ops_s  ngx_http_oiosaml_store_ops_t;
typedef struct ngx_http_oiosaml_redis_conf_s ngx_http_oiosaml_redis_conf_t;


typedef struct {
    ngx_shm_zone_t           *shm_zone;
    ngx_http_oiosaml_store_ops_t *ops;      /* the store's backend */
    ngx_http_oiosaml_redis_conf_t *redis;   /* oiosaml_store redis... */
    ngx_uint_t                store_set;
    ngx_array_t               sps;          /* ngx_http_oiosaml_sp_rec_t * */
    ngx_event_t               refresh_ev;
    ngx_event_t               warn_ev;
} ngx_http_oiosaml_main_conf_t;


typedef struct {
    ngx_str_t                 entity_id;
    ngx_str_t                 url;
    ngx_str_t                 sp_file;       /* for error messages */
    ngx_uint_t                sp_line;
    ngx_array_t              *keys;          /* ngx_http_oiosaml_key_conf_t */
    ngx_array_t              *idps;          /* ngx_http_oiosaml_idp_conf_t */
    ngx_str_t                 cookie_secret;
    ngx_str_t                 secret_file;   /* for error messages */
    ngx_uint_t                secret_line;
    time_t                    skew;
    time_t                    request_lifetime;
    ngx_flag_t                allow_unsolicited;
    ngx_str_t                 session_cookie;
    time_t                    session_idle;
    time_t                    session_lifetime;
    ngx_uint_t                log_level;
    ngx_flag_t                debug;
    ngx_uint_t                login_limit;   /* logins per window, 0: off */
    time_t                    login_window;
    ngx_str_t                 header_prefix;
    ngx_str_t                 choose_template;
    ngx_array_t              *spmeta;        /* our metadata's directives */
    time_t                    remember;      /* choice cookie, 0: off */
    time_t                    metadata_refresh;
    time_t                    cert_warn;
    ngx_array_t              *status;        /* ngx_cidr_t; empty: off */
    ngx_array_t              *bootstrap;     /* ngx_cidr_t; empty: off */
    ngx_flag_t                strip_headers;

    /* built at merge time */
    oiosaml_sp_t             *sp;
    ngx_http_oiosaml_sp_rec_t *rec;
    ngx_str_t                 prefix;        /* the endpoints' path */
    ngx_str_t                 origin;        /* scheme://host[:port] */
    ngx_array_t              *strip;         /* lowercase prefixes to strip */
    ngx_str_t                 hnames[OIOSAML_F_MAX];  /* "" for none */
    ngx_str_t                 hlower[OIOSAML_F_MAX];
    ngx_uint_t                hhash[OIOSAML_F_MAX];
    unsigned                  secure:1;      /* https base URL */
} ngx_http_oiosaml_srv_conf_t;


typedef struct {
    ngx_str_t                 role;
    ngx_str_t                 label;
} ngx_http_oiosaml_role_label_t;


typedef struct {
    ngx_flag_t                enable;
    ngx_uint_t                headers;       /* 1 << oiosaml_field_t */
    ngx_uint_t                require_loa;   /* oiosaml_loa_t */
    ngx_flag_t                bootstrap;     /* send the token's reference */

    /* roles: oiosaml_require_role and its companions */
    ngx_array_t              *roles;         /* const char *, empty: off */
    ngx_flag_t                roles_all;
    ngx_int_t                 role_scope;    /* oiosaml_scope_t */
    ngx_str_t                 role_scope_urn;
    ngx_array_t              *constraints;   /* oiosaml_constraint_t */
    ngx_array_t              *role_loas;     /* oiosaml_role_loa_t */
    ngx_array_t              *labels;        /* role label */
    ngx_uint_t                role_log_deny; /* log level, 0: off */
    ngx_uint_t                role_log_allow;
    oiosaml_policy_t          policy;        /* built at merge */
} ngx_http_oiosaml_loc_conf_t;


/* a session as a request sees it: copies of the stored fields */
typedef struct {
    u_char                    key[NGX_HTTP_OIOSAML_KEY_LEN];
    time_t                    created;
    time_t                    expires;
    oiosaml_loa_t             loa;
    ngx_str_t                 fields[OIOSAML_F_MAX];
} ngx_http_oiosaml_session_t;


/* what to do when a store operation ends later (NGX_AGAIN) */
typedef ngx_int_t (*ngx_http_oiosaml_next_pt)(ngx_http_request_t *r,
    ngx_int_t rc);


/* an ACS answer to record: ngx_http_oiosaml_store_commit() */
typedef struct {
    u_char                    assertion[32];    /* digest of issuer, ID */
    time_t                    assertion_until;
    u_char                    request[32];      /* of the AuthnRequest */
    time_t                    request_until;    /* 0: unsolicited */
    u_char                    old[NGX_HTTP_OIOSAML_KEY_LEN];
    ngx_uint_t                has_old;          /* a session it replaces */
    ngx_http_oiosaml_session_t *session;        /* the new one */
    ngx_uint_t                refused;          /* with NGX_BUSY: */
} ngx_http_oiosaml_commit_t;

#define NGX_HTTP_OIOSAML_USED_ASSERTION    1
#define NGX_HTTP_OIOSAML_USED_REQUEST      2


typedef struct {
    ngx_http_oiosaml_session_t  *session;
    ngx_uint_t                   found;       /* lookup done */
    ngx_uint_t                   first;       /* count: first refusal */
    ngx_int_t                    rc;          /* the store's last answer */
    ngx_http_oiosaml_next_pt     next;        /* waiting for the store */
    void                        *data;        /* the waiting caller's */
    ngx_uint_t                   op;          /* the one it waits for */
    ngx_uint_t                   done;        /* operations answered */
    ngx_int_t                    answer[5];   /* their answers */
} ngx_http_oiosaml_ctx_t;


/* where ngx_http_oiosaml_cookie_next() goes on; zeroed to start */
typedef struct {
    ngx_uint_t                   header;      /* Cookie header */
    size_t                       pos;         /* offset in its value */
} ngx_http_oiosaml_cookie_iter_t;


extern ngx_module_t  ngx_http_oiosaml_module;


/* ngx_http_oiosaml_conf.c */
char *ngx_http_oiosaml_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_oiosaml_sp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_oiosaml_sp_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_idp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_oiosaml_require_loa(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_login_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_remember(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_time_or_off(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_require_role(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_require_constraint(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_oiosaml_role_loa(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_role_label(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_role_scope(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_role_log(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_oiosaml_init_policy(ngx_http_oiosaml_loc_conf_t *olcf);
char *ngx_http_oiosaml_merge_policy(ngx_conf_t *cf,
    ngx_http_oiosaml_loc_conf_t *prev, ngx_http_oiosaml_loc_conf_t *conf);
ngx_int_t ngx_http_oiosaml_role_check(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_loc_conf_t *olcf,
    ngx_http_oiosaml_session_t *s, const oiosaml_idp_t *idp);
char *ngx_http_oiosaml_secret_post(ngx_conf_t *cf, void *post, void *data);

/* ngx_http_oiosaml_spmeta.c */
char *ngx_http_oiosaml_spmeta_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_spmeta_apply(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf, oiosaml_sp_t *sp);
char *ngx_http_oiosaml_merge_sp(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *prev, ngx_http_oiosaml_srv_conf_t *conf);

/* ngx_http_oiosaml_store_redis.c */
char *ngx_http_oiosaml_store(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_oiosaml_store_init_process(ngx_cycle_t *cycle);
void ngx_http_oiosaml_store_exit_process(ngx_cycle_t *cycle);

/* ngx_http_oiosaml_store.c: the store, whatever the backend */
ngx_shm_zone_t *ngx_http_oiosaml_store_add(ngx_conf_t *cf, ngx_str_t *name,
    size_t size);
ngx_http_oiosaml_ctx_t *ngx_http_oiosaml_ctx(ngx_http_request_t *r);
void ngx_http_oiosaml_store_key(const u_char *id, u_char *key);
ngx_int_t ngx_http_oiosaml_store_find(ngx_http_request_t *r,
    const u_char *key, ngx_http_oiosaml_next_pt next);
ngx_int_t ngx_http_oiosaml_store_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c, ngx_http_oiosaml_next_pt next);
ngx_int_t ngx_http_oiosaml_store_remove(ngx_http_request_t *r,
    const u_char *key, ngx_http_oiosaml_next_pt next);
ngx_int_t ngx_http_oiosaml_digest(u_char *digest, const char *a,
    const char *b, const char *c);
ngx_int_t ngx_http_oiosaml_store_once(ngx_http_request_t *r,
    const char *kind, const char *id, time_t until,
    ngx_http_oiosaml_next_pt next);
ngx_int_t ngx_http_oiosaml_store_count(ngx_http_request_t *r,
    const u_char *key, size_t len, ngx_uint_t limit, time_t window,
    ngx_http_oiosaml_next_pt next);
ngx_uint_t ngx_http_oiosaml_store_available(ngx_http_request_t *r);
ngx_int_t ngx_http_oiosaml_store_down(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
void ngx_http_oiosaml_store_done(ngx_http_request_t *r, ngx_int_t rc);
ngx_int_t ngx_http_oiosaml_store_phases(ngx_http_request_t *r,
    ngx_int_t rc);
ngx_int_t ngx_http_oiosaml_store_rerun(ngx_http_request_t *r, ngx_int_t rc);
ngx_http_oiosaml_session_t *ngx_http_oiosaml_session_new(
    ngx_http_request_t *r, ngx_http_oiosaml_srv_conf_t *oscf,
    oiosaml_identity_t *identity, time_t expires, const u_char *key);
ngx_uint_t ngx_http_oiosaml_raw_field(ngx_uint_t i);

/* ngx_http_oiosaml_headers.c */
char *ngx_http_oiosaml_headers(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_strip_list(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf);
char *ngx_http_oiosaml_header_names(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf);
ngx_int_t ngx_http_oiosaml_strip_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_oiosaml_set_headers(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_uint_t mask,
    ngx_http_oiosaml_session_t *s);
ngx_int_t ngx_http_oiosaml_header_in(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value);

/* ngx_http_oiosaml_access.c */
ngx_int_t ngx_http_oiosaml_access_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_oiosaml_precontent_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_oiosaml_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_oiosaml_get_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_next_pt next,
    ngx_http_oiosaml_session_t **session);

/* ngx_http_oiosaml_endpoints.c */
ngx_int_t ngx_http_oiosaml_endpoint_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_oiosaml_start_login(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const oiosaml_idp_t *idp,
    ngx_str_t *return_url, oiosaml_loa_t loa);
ngx_int_t ngx_http_oiosaml_login_redirect(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *idp, oiosaml_loa_t loa);

/* ngx_http_oiosaml_acs.c */
ngx_int_t ngx_http_oiosaml_acs(ngx_http_request_t *r);

/* ngx_http_oiosaml_refresh.c */
ngx_int_t ngx_http_oiosaml_init_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_oiosaml_register_sp(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf);
void ngx_http_oiosaml_trust_sync(ngx_http_oiosaml_srv_conf_t *oscf,
    ngx_log_t *log);

/* ngx_http_oiosaml_status.c */
void ngx_http_oiosaml_count(ngx_http_oiosaml_srv_conf_t *oscf,
    const char *idp, oiosaml_status_t status);
ngx_int_t ngx_http_oiosaml_status(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);

/* ngx_http_oiosaml_form.c */
ngx_int_t ngx_http_oiosaml_read_body(ngx_http_request_t *r, ngx_str_t *body);
ngx_int_t ngx_http_oiosaml_form_get(ngx_http_request_t *r, ngx_str_t *body,
    const char *name, ngx_str_t *value);

/* ngx_http_oiosaml_choose.c */
ngx_int_t ngx_http_oiosaml_choose(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
ngx_int_t ngx_http_oiosaml_forget(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
const oiosaml_idp_t *ngx_http_oiosaml_pick_idp(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);

/* ngx_http_oiosaml_cookie.c */
ngx_int_t ngx_http_oiosaml_cookie_next(ngx_http_request_t *r,
    ngx_http_oiosaml_cookie_iter_t *it, ngx_str_t *name, ngx_str_t *value);
ngx_int_t ngx_http_oiosaml_cookie_get(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value);
ngx_int_t ngx_http_oiosaml_cookie_set(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *value,
    ngx_str_t *path, time_t max_age, ngx_uint_t cross_site);
ngx_int_t ngx_http_oiosaml_cookie_clear(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *path);

/* ngx_http_oiosaml_addr.c */
char *ngx_http_oiosaml_addr_list(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_oiosaml_addr_merge(ngx_conf_t *cf, ngx_array_t **conf,
    ngx_array_t **prev, ngx_uint_t local);
ngx_int_t ngx_http_oiosaml_addr_allowed(ngx_http_request_t *r,
    ngx_array_t *a);

/* ngx_http_oiosaml_bootstrap.c */
ngx_int_t ngx_http_oiosaml_bootstrap_header(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_session_t *s);
ngx_int_t ngx_http_oiosaml_bootstrap(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);

/* ngx_http_oiosaml_pending.c */
ngx_int_t ngx_http_oiosaml_pending_trim(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, size_t size);

/* ngx_http_oiosaml_page.c */
ngx_int_t ngx_http_oiosaml_fail(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *what,
    oiosaml_err_t *err);
ngx_int_t ngx_http_oiosaml_fail_quiet(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_err_t *err);
ngx_int_t ngx_http_oiosaml_role_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_loc_conf_t *olcf,
    oiosaml_access_t *access);
ngx_int_t ngx_http_oiosaml_loa_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_loa_t required,
    oiosaml_loa_t achieved);
ngx_int_t ngx_http_oiosaml_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_uint_t status,
    const char *title_da, const char *title_en, ngx_str_t *text_da,
    ngx_str_t *text_en);
ngx_int_t ngx_http_oiosaml_redirect(ngx_http_request_t *r, ngx_uint_t status,
    u_char *location, size_t len);
ngx_int_t ngx_http_oiosaml_deny(ngx_http_request_t *r, ngx_int_t rc);
ngx_int_t ngx_http_oiosaml_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, u_char *body, size_t len);
ngx_int_t ngx_http_oiosaml_no_store(ngx_http_request_t *r);
u_char *ngx_http_oiosaml_log_text(ngx_pool_t *pool, const char *s);


#endif /* _NGX_HTTP_OIOSAML_MODULE_H_INCLUDED_ */
