/* sim_sts: ecd-sim --sts SECONDS, the credential services of the tests.
 *
 *   POST / Action=AssumeRole (2015-04-01): V1 signature checked against
 *     the sim's AccessKey or a temporary one it issued (then its
 *     SecurityToken is required); issues credentials that live SECONDS.
 *   POST / Action=AssumeRoleWithOIDC: anonymous; needs OIDCToken.
 *   PUT /latest/api/token, GET /latest/meta-data/ram/security-credentials/
 *     [ROLE]: the ECS metadata service (role "sim-ecs-role").
 *   GET /credentials-uri: a CredentialsURI answer.
 *   GET /__sts: the call counts; /__sts?fail=N: the next N STS calls
 *     (AssumeRole, AssumeRoleWithOIDC) get 503.
 * ECD calls signed with an issued AccessKey are accepted until it expires,
 * then refused with the real InvalidSecurityToken.Expired.  Thread-safe. */
#ifndef WR_SIM_STS_H
#define WR_SIM_STS_H

#include "sim_check.h"

#include <stdint.h>

struct wr_sim_sts;

/* fail: STS calls answered 503 once fail_after were answered; lie_ms:
 * the Expiration issued is that much later than the expiry enforced (a
 * client whose clock is behind). */
struct wr_sim_sts *wr_sim_sts_create(int64_t life_ms, long fail,
                                     long fail_after, int64_t lie_ms);
void wr_sim_sts_destroy(struct wr_sim_sts *s);

/* Answer req when it is one of the routes above: 1 with *status, *body
 * (malloc'd) set; 0 when it is not; WR_ENOMEM. */
int wr_sim_sts_route(struct wr_sim_sts *s, const struct wr_sim_creds *base,
                     const struct wr_sim_request *req, int64_t wall_ms,
                     int *status, char **body);

/* An issued AccessKey id: 1 (out filled, strings owned by s), -1 expired
 * (out filled too), 0 unknown. */
int wr_sim_sts_lookup(struct wr_sim_sts *s, const char *id, int64_t wall_ms,
                      struct wr_sim_creds *out);

#endif
