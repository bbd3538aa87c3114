import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ByokService, ProbeResult } from '../byok/service.js';
import {
  assertModelId,
  defaultSettings,
  mergeSettings,
  requireProvider,
  resolveBaseUrl,
  validateCredentials,
  validatePlan,
} from '../byok/slot-input.js';
import { targetFromCredentials } from '../byok/targets.js';
import { ApiError, assertOrgId } from '../errors.js';
import type { TokenAuthenticator } from '../plugins/auth.js';
import { CURATED_MODELS, PROVIDERS } from '../providers/registry.js';
import type { CallTarget } from '../providers/types.js';
import type { SlotName } from '../store/slots.js';
import type { UsageRepository } from '../store/usage.js';
import {
  AuditListSchema,
  AuditQuerySchema,
  OrgParams,
  OrgStatusSchema,
  PatchSlotSchema,
  ProbeRequestSchema,
  ProbeResultSchema,
  PutQuerySchema,
  PutSlotSchema,
  SlotParams,
  UsageListSchema,
  UsageQuerySchema,
  errors,
} from './schemas.js';

export interface ByokRoutesOptions {
  auth: TokenAuthenticator;
  byok: ByokService;
  usage: UsageRepository;
  checkBaseUrl: (url: string) => Promise<{ ok: true; url: string } | { ok: false; reason: string }>;
  probe: (target: CallTarget, mode: 'metadata' | 'completion') => Promise<ProbeResult>;
}

/** checkBaseUrl's reasons for a host that does not resolve (src/gateway/network-guard.ts). */
const DNS_FAILURE = /does not resolve|could not be resolved|resolves to no address/;

/**
 * Ajv's type coercion turns a query's "1e400" into Infinity and lets it past `integer`,
 * `minimum` and `maximum` (the range checks skip non-finite numbers): refuse it here.
 */
function queryInt(value: number | undefined, param: string): number | undefined {
  if (value === undefined || Number.isSafeInteger(value)) return value;
  throw new ApiError(400, 'invalid_request', `Invalid querystring.${param}: must be a whole number in range.`, { param });
}

function assertSlot(value: string): SlotName {
  if (value !== 'main' && value !== 'fallback') {
    throw new ApiError(400, 'invalid_slot', `The slot is "main" or "fallback", not "${value.slice(0, 64)}".`, { param: 'slot' });
  }
  return value;
}

const catalog = {
  models: [...CURATED_MODELS],
  providers: PROVIDERS.map((p) => ({
    id: p.id,
    name: p.name,
    family: p.family,
    defaultBaseUrl: p.defaultBaseUrl,
    baseUrlRequired: p.baseUrlRequired,
    reasoning: p.reasoning !== 'none',
    reasoningStyle: p.reasoning,
    apiKeyRequired: p.apiKeyRequired,
    credentials: p.credentials,
    plans: p.plans,
    probe: p.probe,
    docs: p.docs,
  })),
};

/** BYOK administration, for admin tokens. */
export const byokRoutes: FastifyPluginAsyncTypebox<ByokRoutesOptions> = async (app, { auth, byok, usage, checkBaseUrl, probe }) => {
  app.addHook('preHandler', auth.require('admin'));
  const tags = ['byok'];

  app.get(
    '/byok/catalog',
    {
      schema: {
        summary: 'Curated models and every supported provider (base URLs, plans, concurrency defaults, credential fields)',
        tags,
        response: { 200: Type.Object({ models: Type.Array(Type.Any()), providers: Type.Array(Type.Any()) }), ...errors(401, 403) },
      },
    },
    async () => catalog,
  );

  app.post(
    '/byok/test',
    {
      schema: {
        summary: 'Probe a key (metadata call, no inference) or a stored slot; mode "completion" makes one minimal real call',
        tags,
        body: ProbeRequestSchema,
        response: { 200: ProbeResultSchema, ...errors(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) => {
      const body = request.body;
      const mode = body.mode ?? 'metadata';
      if ('orgId' in body) {
        const orgId = assertOrgId(body.orgId, 'orgId');
        const target = await byok.storedTarget(orgId, assertSlot(body.slot));
        return probe(target, mode);
      }
      const provider = requireProvider(body.provider);
      const plan = validatePlan(provider, body.plan);
      const credentials = validateCredentials(provider, body.apiKey, body.credentials);
      let baseUrl = resolveBaseUrl(provider, plan, body.baseUrl, credentials.params);
      if (body.baseUrl && baseUrl) {
        const started = performance.now();
        const check = await checkBaseUrl(baseUrl);
        // A host that does not resolve is what a probe is for: a result, not a 400.
        if (!check.ok && DNS_FAILURE.test(check.reason)) {
          const latencyMs = Math.round(performance.now() - started);
          return { ok: false, status: 'network_error', message: `Could not reach ${provider.name}: ${check.reason}`, httpStatus: null, latencyMs, models: null, modelFound: null };
        }
        if (!check.ok) throw new ApiError(400, 'invalid_base_url', check.reason, { param: 'baseUrl' });
        baseUrl = check.url;
      }
      const model = body.model ? assertModelId(body.model) : '';
      if (mode === 'completion' && !model) throw new ApiError(400, 'invalid_request', 'mode "completion" needs a model.', { param: 'model' });
      const settings = mergeSettings(defaultSettings(provider, model, plan), body.settings, provider);
      return probe(targetFromCredentials(provider.id, model, baseUrl, plan, settings, credentials.all), mode);
    },
  );

  app.get(
    '/byok/:orgId',
    { schema: { summary: 'Status of both slots (never the key)', tags, params: OrgParams, response: { 200: OrgStatusSchema, ...errors(400, 401, 403) } } },
    async (request) => byok.status(assertOrgId(request.params.orgId, 'orgId')),
  );

  app.put(
    '/byok/:orgId/:slot',
    {
      schema: {
        summary: 'Store or replace a slot config and key (201 created, 200 replaced); ?test=true probes first (Test & save)',
        tags,
        params: SlotParams,
        querystring: PutQuerySchema,
        body: PutSlotSchema,
        response: { 200: Type.Ref('Slot'), 201: Type.Ref('Slot'), ...errors(400, 401, 403, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const orgId = assertOrgId(request.params.orgId, 'orgId');
      const slot = assertSlot(request.params.slot);
      const { created, view } = await byok.put(orgId, slot, request.body, request.actor!, { test: request.query.test === true });
      return reply.status(created ? 201 : 200).send(view);
    },
  );

  app.patch(
    '/byok/:orgId/:slot',
    {
      schema: {
        summary: 'Change model, baseUrl, plan or settings without re-sending the key',
        tags,
        params: SlotParams,
        body: PatchSlotSchema,
        response: { 200: Type.Ref('Slot'), ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) => byok.patch(assertOrgId(request.params.orgId, 'orgId'), assertSlot(request.params.slot), request.body, request.actor!),
  );

  app.delete(
    '/byok/:orgId/:slot',
    {
      schema: {
        summary: 'Remove a slot and its key material (the audit trail stays)',
        tags,
        params: SlotParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await byok.delete(assertOrgId(request.params.orgId, 'orgId'), assertSlot(request.params.slot), request.actor!);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/byok/:orgId/:slot/enable',
    {
      schema: {
        summary: 'Re-enable a soft-disabled key',
        tags,
        params: SlotParams,
        response: { 200: Type.Ref('Slot'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => byok.enable(assertOrgId(request.params.orgId, 'orgId'), assertSlot(request.params.slot), request.actor!),
  );

  app.get(
    '/byok/:orgId/audit',
    {
      schema: {
        summary: 'Audit events, newest first',
        tags,
        params: OrgParams,
        querystring: AuditQuerySchema,
        response: { 200: AuditListSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const orgId = assertOrgId(request.params.orgId, 'orgId');
      const rows = await byok.audit(orgId, { limit: queryInt(request.query.limit, 'limit') ?? 100, before: queryInt(request.query.before, 'before') });
      return { data: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  );

  app.get(
    '/byok/:orgId/usage',
    {
      schema: {
        summary: 'Per-request usage rows (newest first) and totals',
        tags,
        params: OrgParams,
        querystring: UsageQuerySchema,
        response: { 200: UsageListSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const orgId = assertOrgId(request.params.orgId, 'orgId');
      const since = request.query.since ? new Date(request.query.since) : undefined;
      // Year 0 and earlier pass the date-time format but not PostgreSQL.
      if (since && (Number.isNaN(since.getTime()) || since.getUTCFullYear() < 1)) {
        throw new ApiError(400, 'invalid_request', 'since must be an ISO 8601 time (year 1 or later).', { param: 'since' });
      }
      const limit = queryInt(request.query.limit, 'limit') ?? 100;
      const [rows, totals] = await Promise.all([usage.list(orgId, { since, limit }), usage.totals(orgId, { since })]);
      return { orgId, totals, data: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
    },
  );
};
