#!/bin/sh
# leap-tui (exported playbook) watchdog: puts the kept files back and reruns the reloads
# unless the playbook confirms within the window. Who decides is settled by one mkdir
# (STATE/decided): the confirmation and the revert cannot both win.
#   sh leap-tui-watchdog.sh keep STATE FILE...   copy each FILE (cp -p) into STATE
#   sh leap-tui-watchdog.sh wait STATE SECONDS [SETUP]
#                                                revert SECONDS after the push unless confirmed
#   sh leap-tui-watchdog.sh revert STATE         revert now (prints reverted, or too-late)
#   sh leap-tui-watchdog.sh confirm STATE        claim the decision (exit 3: too late)
# STATE/reloads: the commands rerun after a revert, one per line.
# The window starts when a kept file changes on the host (the play's copy), not when the
# watchdog starts: Ansible's tasks before the copy take their time, and a healthy host
# must not revert for it. No change within SETUP seconds (600): nothing was pushed (a copy or
# validate failed), and the watchdog stands down. After a revert or a stand-down the
# state and this script are removed; a revert is logged (logger -t leap-tui).
set -u
mode=$1
state=$2
shift 2

# Whether a kept file differs on the host now (or a file that was absent exists).
changed() {
    [ -f "$state/files" ] || return 1
    n=0
    while IFS= read -r file; do
        n=$((n + 1))
        if [ -e "$state/$n" ]; then
            cmp -s -- "$state/$n" "$file" || return 0
        elif [ -e "$file" ]; then
            return 0
        fi
    done < "$state/files"
    return 1
}
case "$mode" in
keep)
    mkdir -p -m 700 -- "$state" || exit 1
    : > "$state/files"
    n=0
    for file in "$@"; do
        n=$((n + 1))
        if [ -e "$file" ]; then
            cp -p -- "$file" "$state/$n" || exit 1
        fi
        printf '%s\n' "$file" >> "$state/files"
    done
    sync
    ;;
wait)
    setup_end=$(( $(date +%s) + ${2:-600} ))
    while ! changed; do
        [ -d "$state" ] || exit 0
        [ -d "$state/decided" ] && exit 0
        if [ "$(date +%s)" -ge "$setup_end" ]; then
            mkdir -- "$state/decided" 2>/dev/null && rm -rf -- "$state" "$0"
            exit 0
        fi
        sleep 1
    done
    end=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        [ -d "$state" ] || exit 0
        [ -d "$state/decided" ] && exit 0
        sleep 1
    done
    exec /bin/sh "$0" revert "$state"
    ;;
revert)
    [ -d "$state" ] || { echo too-late; exit 3; }
    mkdir -- "$state/decided" 2>/dev/null || { echo too-late; exit 3; }
    n=0
    while IFS= read -r file; do
        n=$((n + 1))
        if [ -e "$state/$n" ]; then
            mv -f -- "$state/$n" "$file"
        else
            rm -f -- "$file"
        fi
    done < "$state/files"
    sync
    if [ -f "$state/reloads" ]; then
        while IFS= read -r command; do
            [ -n "$command" ] && sh -c "$command" </dev/null >/dev/null 2>&1
        done < "$state/reloads"
    fi
    files=$(tr '\n' ' ' < "$state/files")
    command -v logger >/dev/null 2>&1 && logger -t leap-tui "reverted unconfirmed: $files"
    rm -rf -- "$state" "$0"
    echo reverted
    ;;
confirm)
    mkdir -- "$state/decided" 2>/dev/null || exit 3
    rm -rf -- "$state"
    echo confirmed
    ;;
*)
    echo "usage: $0 keep|wait|revert|confirm STATE ..." >&2
    exit 2
    ;;
esac
