# Bash completion for sc: commands, container and image names, flags.
# Source it (or install it as /usr/share/bash-completion/completions/sc). It runs on every TAB, so it
# uses builtins and compgen only: names come from the data root's directories, never from a tool.
# shellcheck shell=bash

# The data root, as the tools see it: $SC_ROOT, else the `root:` line of the config file, else the default.
_sc_data_root() {
  if [ -n "${SC_ROOT:-}" ]; then _sc_root=$SC_ROOT; return; fi
  local config=${SC_CONFIG:-/etc/sc.json5} line re="^[[:space:]]*\"?root\"?[[:space:]]*:[[:space:]]*[\"']([^\"']+)[\"']"
  _sc_root=/var/lib/sc
  [ -r "$config" ] || return 0
  while IFS= read -r line; do
    if [[ $line =~ $re ]]; then _sc_root=${BASH_REMATCH[1]}; return; fi
  done < "$config"
}

# Is the container whose state.json is $1 running? Its PID must be alive with the recorded start time.
_sc_is_running() {
  local doc stat fields re='"process":[[:space:]]*\{[[:space:]]*"pid":[[:space:]]*([0-9]+),[[:space:]]*"startTime":[[:space:]]*([0-9]+)'
  { IFS= read -r -d '' doc < "$1"; } 2>/dev/null
  [[ $doc =~ $re ]] || return 1
  { IFS= read -r stat < "/proc/${BASH_REMATCH[1]}/stat"; } 2>/dev/null || return 1
  read -ra fields <<<"${stat##*) }"
  [ "${fields[19]:-}" = "${BASH_REMATCH[2]}" ] && [ "${fields[0]}" != Z ]
}

# Container names into _sc_words: $1 is all, running or stopped.
_sc_containers() {
  local dir name _sc_root
  _sc_data_root
  _sc_words=()
  for dir in "$_sc_root"/containers/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    name=${dir##*/}
    case $1 in
      running) _sc_is_running "$dir/state.json" || continue ;;
      stopped) ! _sc_is_running "$dir/state.json" || continue ;;
    esac
    _sc_words+=("$name")
  done
}

_sc_images() {
  local dir _sc_root
  _sc_data_root
  _sc_words=()
  for dir in "$_sc_root"/images/*/; do
    [ -d "$dir" ] || continue
    dir=${dir%/}
    _sc_words+=("${dir##*/}")
  done
}

# COMPREPLY from a word list and the word being completed.
_sc_reply() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2"); }

_sc() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} _sc_words=()
  local commands="run start stop rm update autostart exec logs console ps stats image help --help --version"
  local run_flags="--name --hostname --memory --cpus --pids --net --parent --ip --gateway --dns --mac --macvlan-mode --boot --privileged --no-new-privileges --seccomp --userns --autostart --disk --stop-signal --help"
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then _sc_reply "$commands" "$cur"; return; fi

  case ${COMP_WORDS[1]} in
    run)
      case $prev in
        --net|-net) _sc_reply "none static dhcp" "$cur" ;;
        --macvlan-mode) _sc_reply "bridge private vepa passthru" "$cur" ;;
        --seccomp|-seccomp) mapfile -t COMPREPLY < <(compgen -W unconfined -- "$cur"; compgen -f -- "$cur") ;;
        --parent|-parent)
          local dev devs=()
          for dev in /sys/class/net/*; do devs+=("${dev##*/}"); done
          _sc_reply "${devs[*]}" "$cur" ;;
        --name|-name|--hostname|-hostname|--memory|-m|-memory|--cpus|-cpu|--pids|-pids|--ip|-ip|--gateway|-gateway|--dns|-dns|--mac|-mac|--disk|-disk) ;;
        *)
          if [[ $cur == -* ]]; then _sc_reply "$run_flags" "$cur"; else _sc_images; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
      esac ;;
    start) _sc_containers stopped; _sc_reply "${_sc_words[*]}" "$cur" ;;
    stop)
      case $prev in
        -t|--time) ;;
        *) if [[ $cur == -* ]]; then _sc_reply "-t --time" "$cur"; else _sc_containers running; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
      esac ;;
    rm)
      if [[ $cur == -* ]]; then _sc_reply "-f --force" "$cur"; else _sc_containers all; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
    update)
      if [[ $cur == -* ]]; then _sc_reply "--autostart --no-autostart" "$cur"; else _sc_containers all; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
    stats)
      if [[ $cur == -* ]]; then _sc_reply "--json" "$cur"; else _sc_containers all; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
    ps) _sc_reply "-a --all --json" "$cur" ;;
    logs)
      if [[ $cur == -* ]]; then _sc_reply "-f --follow -n --lines" "$cur"; else _sc_containers all; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
    console) _sc_containers running; _sc_reply "${_sc_words[*]}" "$cur" ;;
    exec)
      # Only the container is ours to complete; after it comes the command, as bash completes any command.
      local i words=0
      for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
          -e|--env|-w|--workdir) ((i++)) ;;
          -*) ;;
          *) words=$((words + 1)) ;;
        esac
      done
      case $prev in -e|--env|-w|--workdir) return ;; esac
      if [ "$words" -gt 0 ]; then
        [ "$words" -eq 1 ] && mapfile -t COMPREPLY < <(compgen -c -- "$cur")
      elif [[ $cur == -* ]]; then _sc_reply "-e --env -w --workdir" "$cur"
      else _sc_containers running; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
    image|images)
      if [ "$COMP_CWORD" -eq 2 ]; then _sc_reply "ls import pull push export save commit rm" "$cur"; return; fi
      case ${COMP_WORDS[2]} in
        ls|list) _sc_reply "--json" "$cur" ;;
        rm) if [[ $cur == -* ]]; then _sc_reply "-f --force" "$cur"; else _sc_images; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
        import)
          if [ "$prev" = --name ]; then return; fi
          if [[ $cur == -* ]]; then _sc_reply "--name" "$cur"; else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi ;;
        pull)
          if [ "$prev" = --name ]; then return; fi
          if [[ $cur == -* ]]; then _sc_reply "--name --tls-verify=false" "$cur"; fi ;;
        push)
          # The image, then the registry's reference.
          if [[ $cur == -* ]]; then _sc_reply "--tls-verify=false" "$cur"
          elif [ "$COMP_CWORD" -eq 3 ]; then _sc_images; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
        export|save)
          # The image, then where it goes.
          if [ "$prev" = --format ]; then _sc_reply "oci-archive docker-archive" "$cur"; return; fi
          if [[ $cur == -* ]]; then [ "${COMP_WORDS[2]}" = save ] && _sc_reply "--format" "$cur"
          elif [ "$COMP_CWORD" -eq 3 ]; then _sc_images; _sc_reply "${_sc_words[*]}" "$cur"
          else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi ;;
        commit)
          if [ "$COMP_CWORD" -eq 3 ]; then _sc_containers all; _sc_reply "${_sc_words[*]}" "$cur"; fi ;;
      esac ;;
  esac
}

complete -F _sc sc
