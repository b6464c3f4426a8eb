/**
 * A secret written as a literal env value sits in git, in the rendered YAML and in every
 * `kubectl get -o yaml`. Secrets come from a Secret (`valueFrom.secretKeyRef`), which ESO fills
 * from Secret Manager.
 */
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

const SECRET_NAME =
  /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|ACCESS_?KEY)$/i;

export const policySecretLiteralEnv: Rule = {
  id: 'policy/secret-literal-env',
  severity: 'error',
  description:
    'No env var that holds a secret (…_KEY, …_TOKEN, …_PASSWORD) has a literal value: it comes from a Secret.',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        for (const [i, entry] of arr(c.container.env).entries()) {
          const e = obj(entry);
          if (typeof e.name !== 'string' || !SECRET_NAME.test(e.name)) continue;
          if (typeof e.value !== 'string' || e.value === '' || /^(true|false)$/i.test(e.value))
            continue;
          yield {
            object: w.object,
            path: joinPath(c.path, 'env', i, 'value'),
            message: `env ${e.name} of container "${c.name}" is a literal value: the secret is in the manifest (value not shown)`,
            fix: `read it from a Secret: valueFrom: { secretKeyRef: { name: <secret>, key: <key> } }, produced by an ExternalSecret`,
          };
        }
      }
    }
  },
};
