# bash completion for trustscan(1). The option lists must match 'trustscan scan --help' and
# 'trustscan data import|status|update --help' (CTest 'pkg_completion_options' checks them).

_trustscan() {
    local cur prev words cword
    _init_completion || return

    local i subcommand=
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == scan || ${words[i]} == data ]]; then
            subcommand=${words[i]}
            break
        fi
    done

    if [[ -z $subcommand ]]; then
        COMPREPLY=($(compgen -W 'scan data --help --version' -- "$cur"))
        return
    fi
    if [[ $subcommand == data ]]; then
        # trustscan data import SRC | status | update (docs/datasets.md); each its own options.
        local command=
        for ((i = i + 1; i < cword; i++)); do
            case ${words[i]} in import | status | update) command=${words[i]}; break ;; esac
        done
        case $prev in
            --data-dir) _filedir -d; return ;;
            --url | --mirror | --timeout) return ;; # a value of the user's own
        esac
        local options='-h --help --data-dir'
        case $command in
            '') COMPREPLY=($(compgen -W 'import status update -h --help' -- "$cur")); return ;;
            update) options+=' --url --mirror --timeout' ;;
        esac
        if [[ $cur == -* || $command != import ]]; then
            COMPREPLY=($(compgen -W "$options" -- "$cur"))
        else
            _filedir -d # SRC
        fi
        return
    fi

    case $prev in
        -f | --format)
            COMPREPLY=($(compgen -W 'table json ndjson cef' -- "$cur"))
            return
            ;;
        --fail-on)
            COMPREPLY=($(compgen -W 'none low medium high critical' -- "$cur"))
            return
            ;;
        -o | --output | --policy | --baseline | --cache)
            _filedir
            return
            ;;
        --rules)
            _filedir '@(yar|yara)'
            return
            ;;
        --vendors)
            _filedir '@(yaml|yml)'
            return
            ;;
        --trust-store | --crl-dir | --module-keys | --catalog-dir | --data-dir)
            _filedir -d
            return
            ;;
        -e | --exclude | --max-file-size | --max-parse-size | -j | --threads | \
            --flag-country | --flag-vendor | --verify-time | --file-timeout | --max-memory | \
            --syslog | --syslog-facility | --partition)
            return # a value of the user's own
            ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-h --help -f --format -o --output -e --exclude
            --max-file-size --max-parse-size -j --threads --file-timeout --max-memory
            -x --one-file-system --trust-store --no-default-trust --data-dir --crl-dir --module-keys
            --no-kernel-keys --strict-padding --catalog-dir --no-windows-image
            --image --partition --include-deleted --hash-image
            --rules --no-default-rules --match-all --vendors --policy --flag-country --flag-vendor
            --all-privileges --fail-on --verify-time --baseline --syslog --syslog-facility
            --syslog-all --cache -q --quiet' -- "$cur"))
        return
    fi
    _filedir -d # ROOT: directories (or disk image files, or files)
    _filedir
} &&
    complete -F _trustscan trustscan
