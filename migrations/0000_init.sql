CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"slot" text,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "byok_slots" (
	"org_id" text NOT NULL,
	"slot" text NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"base_url" text,
	"plan" text,
	"settings" jsonb NOT NULL,
	"key_kid" text NOT NULL,
	"key_nonce" text NOT NULL,
	"key_ciphertext" text NOT NULL,
	"key_tag" text NOT NULL,
	"key_hints" jsonb NOT NULL,
	"credential_params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credential_fingerprint" text NOT NULL,
	"key_updated_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"disabled_reason" text,
	"disabled_at" timestamp with time zone,
	"consecutive_auth_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "byok_slots_org_id_slot_pk" PRIMARY KEY("org_id","slot")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"request_id" text NOT NULL,
	"slot" text,
	"provider" text,
	"model" text,
	"outcome" text NOT NULL,
	"http_status" integer NOT NULL,
	"failover_reason" text,
	"stream" boolean DEFAULT false NOT NULL,
	"latency_ms" integer NOT NULL,
	"ttft_ms" integer,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_events_org_at" ON "audit_events" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "usage_events_org_created" ON "usage_events" USING btree ("org_id","created_at");