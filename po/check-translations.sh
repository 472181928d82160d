#!/bin/sh
# check-translations.sh SOURCE_ROOT LANG: fails when LANG.po has an error,
# a fuzzy or untranslated entry, or lacks a string the sources (po/POTFILES)
# have now.  The template is made as `ninja stepwise-pot` makes it.
set -eu
top=$1
lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$top/po/POTFILES" | sed '/^[[:space:]]*$/d' > "$tmp/files"
(cd "$top" && xgettext --package-name=stepwise --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --files-from="$tmp/files" --output="$tmp/stepwise.pot")
msgmerge --quiet --no-fuzzy-matching --output-file="$tmp/$lang.po" "$top/po/$lang.po" "$tmp/stepwise.pot"
stats=$(msgfmt --check --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
echo "$lang: $stats"
case "$stats" in
  *fuzzy*|*untranslated*) echo "$lang.po is incomplete: run ninja stepwise-update-po and translate"; exit 1 ;;
esac
# no entry of the file itself is fuzzy or obsolete-only either
stats=$(msgfmt --check --statistics --output-file=/dev/null "$top/po/$lang.po" 2>&1)
case "$stats" in
  *fuzzy*|*untranslated*) echo "po/$lang.po: $stats"; exit 1 ;;
esac
