/**
 * Resource requests and limits. Without requests the scheduler may put the database on a full
 * node and it is the first to be evicted under pressure (BestEffort); without a memory limit a
 * leak takes the node down with it instead of OOM-killing one container. For a single-replica
 * stateful workload, a memory request below the limit (Burstable) makes it an eviction
 * candidate whenever the node runs short.
 */
import { obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';
import { quantity } from '../validate/units.js';
import { claimVolumes } from '../validate/workloads.js';

const resourcesOf = (container: Record<string, unknown>) => {
  const r = obj(container.resources);
  return { requests: obj(r.requests), limits: obj(r.limits) };
};

export const policyResourcesMissing: Rule = {
  id: 'policy/resources-missing',
  severity: 'error',
  description:
    'Every container requests CPU and memory (a limit alone counts: the request defaults to it).',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        const { requests, limits } = resourcesOf(c.container);
        const missing = ['cpu', 'memory'].filter(
          (r) => requests[r] === undefined && limits[r] === undefined,
        );
        if (missing.length === 0) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'resources', 'requests'),
          message: `container "${c.name}" requests no ${missing.join(' or ')}: it can land on a full node and is evicted first under pressure`,
          fix: `set ${joinPath(c.path, 'resources', 'requests')} for ${missing.join(' and ')} (e.g. cpu: 500m, memory: 1Gi)`,
        };
      }
    }
  },
};

export const policyMemoryLimitMissing: Rule = {
  id: 'policy/memory-limit-missing',
  severity: 'error',
  description:
    'Every container has a memory limit, so a leak OOM-kills the container rather than starving the node.',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        if (resourcesOf(c.container).limits.memory !== undefined) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'resources', 'limits', 'memory'),
          message: `container "${c.name}" has no memory limit: a leak grows until the node itself runs out`,
          fix: `set ${joinPath(c.path, 'resources', 'limits', 'memory')} (e.g. 4Gi), and alert on OOMKilled`,
        };
      }
    }
  },
};

export const policyMemoryRequestBelowLimit: Rule = {
  id: 'policy/memory-request-below-limit',
  severity: 'warning',
  description:
    'A stateful single-replica container requests as much memory as its limit, so node memory pressure does not evict it first.',
  *check(context) {
    for (const w of context.workloads) {
      if (w.replicas === undefined || claimVolumes(w).length === 0) continue;
      for (const c of w.containers) {
        if (c.init) continue;
        const { requests, limits } = resourcesOf(c.container);
        const request = quantity(requests.memory);
        const limit = quantity(limits.memory);
        if (request === undefined || limit === undefined || request >= limit) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'resources', 'requests', 'memory'),
          message: `container "${c.name}" requests ${String(requests.memory)} memory but may use ${String(limits.memory)}: above its request it is the kubelet's first eviction candidate when the node runs short, and this is the only replica`,
          fix: `set ${joinPath(c.path, 'resources', 'requests', 'memory')} to ${String(limits.memory)} (equal to the limit)`,
        };
      }
    }
  },
};
