# bash completion for wuying-reboot                      -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/wuying-reboot.
# The option lists follow the option table (src/options/config.c): each
# command offers only the options it accepts.

_wuying_reboot()
{
  local cur prev cmd i
  COMPREPLY=()
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}

  local input="--job --region --only-region --all-regions --format --column
               --strict --chunk-size --canary --wave-size --keep-columns
               --select --allow-empty"
  local api="--api --signature --endpoint --insecure --profile --client-id
             --client-os --client-version --login-token --session-id
             --session-token --ca-bundle"
  local resume_api="--endpoint --insecure --profile --login-token
                    --session-id --session-token --ca-bundle"
  local run="--rate --concurrency --timeout --retries --max-errors --verify
             --verify-timeout --deadline --progress --no-preflight
             --skip-connected --notify --notify-format"
  local common="--verbose --quiet --help -v -q -h"

  # The command is the first word that is not an option.
  cmd=
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      plan | run | resume | report | list)
        cmd=${COMP_WORDS[i]}
        break
        ;;
    esac
  done

  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "plan run resume report list --version --help" \
      -- "$cur"))
    return
  fi

  # Values of the options that take one.
  case $prev in
    --api)
      COMPREPLY=($(compgen -W "admin client" -- "$cur"))
      return
      ;;
    --signature)
      COMPREPLY=($(compgen -W "v3 v1" -- "$cur"))
      return
      ;;
    --format)
      if [[ $cmd == report ]]; then
        COMPREPLY=($(compgen -W "text markdown csv json html" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "csv jsonl" -- "$cur"))
      fi
      return
      ;;
    --progress)
      COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
      return
      ;;
    --notify-format)
      COMPREPLY=($(compgen -W "json dingtalk slack" -- "$cur"))
      return
      ;;
    --job | --report | --output | -o | --ca-bundle)
      compopt -o filenames 2> /dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --select)
      COMPREPLY=($(compgen -W "office-site= group= status= tag: user= policy=
                               image= name= type= resource-group=" -- "$cur"))
      compopt -o nospace 2> /dev/null
      return
      ;;
    --region | --only-region | --column | --chunk-size | --canary | --wave-size | \
      --show-requests | --endpoint | --profile | --client-id | --client-os | \
      --client-version | --login-token | --session-id | --session-token | \
      --rate | --concurrency | --timeout | --retries | --max-errors | \
      --verify-timeout | --deadline | --notify | --keep-columns)
      return
      ;;
  esac

  if [[ $cur == -* ]]; then
    local opts
    case $cmd in
      plan) opts="--json --show-requests $input $api $run --report $common" ;;
      run) opts="$input $api $run --report $common" ;;
      resume) opts="$resume_api --retry-failed $run $common" ;;
      report) opts="--format --output -o $common" ;;
      list) opts="--region --select --allow-empty --format --output -o --job
                  --signature --endpoint --insecure --profile --ca-bundle
                  --rate --timeout --retries $common" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi

  # INPUT files (plan, run) or the REPORT (resume, report).
  compopt -o filenames 2> /dev/null
  COMPREPLY=($(compgen -f -- "$cur"))
} &&
  complete -F _wuying_reboot wuying-reboot

# ex: filetype=sh
