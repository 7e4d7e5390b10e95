# preload-path.sh - sourced (sh): preload_path FILE prints a name of FILE
# that LD_PRELOAD can hold. ld.so splits LD_PRELOAD at spaces and colons,
# so a library in a tree whose path has one (a clone in "/home/me/My
# Projects") would not be preloaded at all: ld.so prints "cannot be
# preloaded" and the program runs on glibc's malloc. Such a FILE is named
# through a symbolic link in a directory of the user's own under /tmp
# (made once, mode 700, refused if it is not the user's): DIR/N/NAME, N
# the checksum of FILE's path, NAME its own name (scripts/callgrind-malloc.py
# knows the library by it); kept for the next run.
preload_path() {
	case $1 in
	*[\ \	:]*) ;;
	*)
		echo "$1"
		return 0
		;;
	esac
	_pd=/tmp/rvmm-preload-$(id -u)
	[ -d "$_pd" ] || mkdir -m 700 "$_pd" 2>/dev/null || true
	if [ ! -d "$_pd" ] || [ -L "$_pd" ] || [ ! -O "$_pd" ]; then
		echo "preload_path: $_pd is not a directory of this user's; cannot name $1 for LD_PRELOAD" >&2
		echo "$1"
		return 1
	fi
	_pl=$_pd/$(printf '%s' "$1" | cksum | cut -d' ' -f1)
	mkdir -p "$_pl" && ln -sfn "$1" "$_pl/$(basename "$1")" && echo "$_pl/$(basename "$1")"
}
