/**
 * The options every rendered YAML document is written with, by yaml's `stringify` and by the
 * direct writer alike (yaml-writer.ts), so that the two give the same bytes.
 *
 * YAML 1.1 quoting: kubectl and kustomize read YAML with Go libraries that still treat `on`,
 * `yes`, `y`, `0777` and the like as booleans and octals, so any string that YAML 1.1 would read
 * as something else is quoted. No line folding, so scripts and annotations stay verbatim. No
 * anchors and aliases either, where builders share one labels object: each document is read
 * (and diffed) on its own.
 */
export const YAML_OPTIONS = {
  version: '1.1',
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
} as const;
