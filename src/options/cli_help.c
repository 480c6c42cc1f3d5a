#include "cli.h"

static const char top[] =
  "Usage: wuying-reboot COMMAND [options] ...\n"
  "Reboot Alibaba Cloud WUYING Workspace (ECD) cloud desktops in bulk.\n"
  "\n"
  "Commands:\n"
  "  plan   [options] INPUT...   parse, validate, de-duplicate and chunk; send nothing\n"
  "  run    [options] INPUT...   reboot every desktop in INPUT, writing the report\n"
  "  resume REPORT [options]     finish an interrupted run from its report\n"
  "  report REPORT [--format F] [-o FILE]   audit summary of a run\n"
  "  list   --region R[,R2] [--select KEY=VALUE]...   the desktops a\n"
  "         selection matches, from the API, as plan/run input\n"
  "\n"
  "  wuying-reboot --version | --help | COMMAND --help\n"
  "\n"
  "INPUT is a CSV or JSONL file, or - for stdin.  Exit codes: 0 all done,\n"
  "1 some desktops failed, 2 bad usage/input/credentials (nothing sent),\n"
  "3 stopped early (resumable).\n";

static const char input_opts[] =
  "Input and plan:\n"
  "  --job FILE             JSON job file: any long option by name, and\n"
  "                         \"inputs\": [...]; the command line wins\n"
  "  --region R             region of rows that name none (else rejected);\n"
  "                         not a filter: with rows of other regions too,\n"
  "                         plan and run refuse unless one of these says\n"
  "  --only-region R[,R2]   reboot only these regions; rows of others are\n"
  "                         rejected (\"region R not selected\")\n"
  "  --all-regions          reboot every region the input names\n"
  "  --format csv|jsonl     input format (default: from the extension)\n"
  "  --select KEY=VALUE     select desktops from the API (DescribeDesktops);\n"
  "                         KEY: office-site group status tag:K user policy\n"
  "                         image name type resource-group; keys AND, one\n"
  "                         key repeated OR; without INPUT the fleet is what\n"
  "                         the --region list (R[,R2]) holds, with INPUT the\n"
  "                         input's desktops that match\n"
  "  --allow-empty          a selection matching nothing is not an error\n"
  "  --column NAME|N        the desktop ID column, by header name or number\n"
  "                         (1 = first; default: DesktopId header, else 1)\n"
  "  --strict               any rejected row is fatal (exit 2)\n"
  "  --chunk-size N         IDs per call: 1..100 admin, 1..20 client (20)\n"
  "  --canary N             the first N desktops form wave 0 (0)\n"
  "  --wave-size N          then waves of N desktops (0: one wave)\n"
  "  --keep-columns C[,C2]  input columns (CSV header names, JSONL keys)\n"
  "                         kept in the report, for report --format csv;\n"
  "                         --select without INPUT keeps DesktopName,\n"
  "                         OfficeSiteId, EndUserIds (and C of list's)\n\n";

static const char api_opts[] =
  "API:\n"
  "  --api admin|client     management API (AccessKey) or client API (admin)\n"
  "  --signature v3|v1      admin signature: ACS3-HMAC-SHA256 or HMAC-SHA1 (v3)\n"
  "  --endpoint URL         e.g. http://127.0.0.1:PORT for ecd-sim\n"
  "                         (default https://ecd.<region>.aliyuncs.com)\n"
  "  --insecure             allow plain http to a host other than loopback\n"
  "  --profile NAME         aliyun CLI profile (~/.aliyun/config.json); without it\n"
  "                         the SDKs' default chain: environment, OIDC,\n"
  "                         config.json, ~/.alibabacloud/credentials, ECS\n"
  "                         RAM role, ALIBABA_CLOUD_CREDENTIALS_URI\n"
  "  --ca-bundle FILE       PEM CAs to trust besides the system's (also\n"
  "                         CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR)\n"
  "  --client-id ID, --client-os OS, --client-version V   client API values\n"
  "  --login-token T, --session-id S, --session-token T   client secrets\n"
  "                         (prefer WUYING_LOGIN_TOKEN etc.: options show in ps)\n\n";

static const char resume_api_opts[] =
  "API (the run's own settings come from the report):\n"
  "  --endpoint URL         e.g. http://127.0.0.1:PORT for ecd-sim\n"
  "  --insecure             allow plain http to a host other than loopback\n"
  "  --profile NAME         aliyun CLI profile (~/.aliyun/config.json); without it\n"
  "                         the SDKs' default chain: environment, OIDC,\n"
  "                         config.json, ~/.alibabacloud/credentials, ECS\n"
  "                         RAM role, ALIBABA_CLOUD_CREDENTIALS_URI\n"
  "  --ca-bundle FILE       PEM CAs to trust besides the system's (also\n"
  "                         CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR)\n"
  "  --login-token T, --session-id S, --session-token T   client secrets\n\n";

static const char resume_opts[] =
  "Resume:\n"
  "  --retry-failed         also re-send the desktops that failed (not the\n"
  "                         excluded ones): each failed chunk again as a new\n"
  "                         chunk \"<id>.r<session>\" with \"retry_of\", fresh\n"
  "                         ClientTokens, pre-flight and --verify as for run\n\n";

static const char run_opts[] =
  "Run:\n"
  "  --rate N               calls started per second, 0.01 to 10000;\n"
  "                         0: no limit (10)\n"
  "  --concurrency N        calls in flight at most (16)\n"
  "  --timeout S            seconds per attempt (30)\n"
  "  --retries N            retries of a retryable failure (5)\n"
  "  --max-errors N|P%      stop once more than N (or P%) desktops failed\n"
  "  --verify               after each wave, wait until its desktops run again\n"
  "  --verify-timeout D     how long to wait, e.g. 90s, 15m, 1h30m (15m)\n"
  "  --no-preflight         admin API: reboot without checking the state\n"
  "                         first (by default each wave's desktops are\n"
  "                         described and only Running ones rebooted)\n"
  "  --skip-connected       pre-flight also leaves out desktops with a user\n"
  "                         connected (excluded, reason connected)\n"
  "  --deadline T           RFC 3339 time or +30m: no call starts after it\n"
  "  --progress auto|always|never   progress line on stderr (auto)\n"
  "  --notify URL           when the session ends, POST its outcome to URL\n"
  "                         (repeatable; https, or http to loopback; the\n"
  "                         URL is never logged or kept in the report)\n"
  "  --notify-format json|dingtalk|slack   the message's body (json); a\n"
  "                         DingTalk robot's signing secret is read from\n"
  "                         WUYING_REBOOT_DINGTALK_SECRET\n\n";

static const char list_help[] =
  "Usage: wuying-reboot list --region R[,R2...] [--select KEY=VALUE]...\n"
  "                          [--format csv|jsonl] [-o FILE]\n"
  "Every desktop of the regions that matches the selection, from\n"
  "DescribeDesktops (admin API, pages of 100), as CSV or JSON Lines: valid\n"
  "INPUT for plan and run as it is.  Nothing is rebooted.\n\n"
  "  --region R[,R2...]     the regions to list (required)\n"
  "  --select KEY=VALUE     KEY: office-site group status tag:K user policy\n"
  "                         image name type resource-group; keys AND, one\n"
  "                         key repeated OR (none: every desktop; pooled\n"
  "                         desktops only with a group selection)\n"
  "  --allow-empty          no match is not an error (exit 0, a header only)\n"
  "  --format csv|jsonl     output format (csv)\n"
  "  -o, --output FILE      write to FILE (atomically) instead of stdout\n"
  "  --job FILE             JSON job file (e.g. \"select\": [...])\n"
  "  --signature v3|v1      admin signature (v3)\n"
  "  --endpoint URL         e.g. http://127.0.0.1:PORT for ecd-sim\n"
  "  --insecure             allow plain http to a host other than loopback\n"
  "  --profile NAME         aliyun CLI profile; without it the default chain\n"
  "  --ca-bundle FILE       PEM CAs to trust besides the system's\n"
  "  --rate N               DescribeDesktops calls per second (10)\n"
  "  --timeout S            seconds per attempt (30)\n"
  "  --retries N            retries of a retryable failure (5)\n\n";

static const char report_opt[] =
  "Report:\n"
  "  --report PATH          report file (wuying-reboot-<UTC time>.jsonl)\n\n";

static const char common_opts[] =
  "Common:\n"
  "  -v, --verbose          more logging on stderr (repeatable)\n"
  "  -q, --quiet            errors only\n"
  "  -h, --help             this help\n";

void wr_cli_help(enum wr_command cmd, FILE *out)
{
  switch (cmd) {
  case WR_CMD_NONE:
    fputs(top, out);
    break;
  case WR_CMD_PLAN:
    fputs("Usage: wuying-reboot plan [options] INPUT...\n"
          "Read, validate, de-duplicate and chunk the desktop IDs of every\n"
          "INPUT and print the plan.  Nothing is sent.\n\n"
          "Output:\n"
          "  --json                 the report's run, rejected and plan records\n"
          "                         as JSON Lines on stdout\n"
          "  --show-requests N      print the first N requests as they would be\n"
          "                         sent, secrets and signature replaced by ***\n\n",
          out);
    fputs(input_opts, out);
    fputs(api_opts, out);
    fputs(run_opts, out);
    fputs(report_opt, out);
    fputs(common_opts, out);
    break;
  case WR_CMD_RUN:
    fputs("Usage: wuying-reboot run [options] INPUT...\n"
          "Reboot every desktop of INPUT, writing the report as it goes.\n\n",
          out);
    fputs(input_opts, out);
    fputs(api_opts, out);
    fputs(run_opts, out);
    fputs(report_opt, out);
    fputs(common_opts, out);
    break;
  case WR_CMD_RESUME:
    fputs("Usage: wuying-reboot resume REPORT [options]\n"
          "Finish an interrupted run from its report alone: chunks without a\n"
          "final record, or `skipped` (never sent), are sent with their\n"
          "original ids and ClientTokens, wave by wave; the records are\n"
          "appended to REPORT, with a summary of the whole run.  The run's\n"
          "options come from the report; the options below override them.\n"
          "Options that would change the plan (inputs, --region, --chunk-size,\n"
          "--api, waves, ...) cannot be given.  Secrets come from the\n"
          "environment or profile, as for run.  Chunks `failed` with\n"
          "\"retry_pending\" (a retry was due when the run stopped) are sent\n"
          "again too.  Other failed desktops are final unless --retry-failed.\n"
          "With --verify, ok desktops an earlier session left unverified are\n"
          "checked first.  A report with nothing left: \"nothing to resume\",\n"
          "exit 0.\n\n",
          out);
    fputs(resume_api_opts, out);
    fputs(resume_opts, out);
    fputs(run_opts, out);
    fputs(common_opts, out);
    break;
  case WR_CMD_LIST:
    fputs(list_help, out);
    fputs(common_opts, out);
    break;
  case WR_CMD_REPORT:
    fputs("Usage: wuying-reboot report REPORT [options]\n"
          "Audit summary of a run.\n\n"
          "  --format text|markdown|csv|json|html   output format (text)\n"
          "  -o, --output FILE      write to FILE instead of stdout\n",
          out);
    fputs(common_opts, out);
    break;
  }
}

const char *wr_cli_command_name(enum wr_command cmd)
{
  switch (cmd) {
  case WR_CMD_PLAN: return "plan";
  case WR_CMD_RUN: return "run";
  case WR_CMD_RESUME: return "resume";
  case WR_CMD_REPORT: return "report";
  case WR_CMD_LIST: return "list";
  case WR_CMD_NONE: break;
  }
  return "";
}
