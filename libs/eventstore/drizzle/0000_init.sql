CREATE TABLE "events" (
	"revision" bigint PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"uid" text NOT NULL,
	"node_name" text NOT NULL,
	"object" jsonb NOT NULL,
	"actor" text NOT NULL,
	"traceparent" text,
	"tracestate" text,
	"committed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "events_type_check" CHECK ("events"."type" in ('ADDED', 'MODIFIED', 'DELETED'))
);
--> statement-breakpoint
CREATE TABLE "objects" (
	"kind" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"uid" text NOT NULL,
	"revision" bigint NOT NULL,
	"node_name" text NOT NULL,
	"object" jsonb NOT NULL,
	CONSTRAINT "objects_pkey" PRIMARY KEY("kind","namespace","name")
);
--> statement-breakpoint
CREATE TABLE "revision_counter" (
	"id" smallint PRIMARY KEY NOT NULL,
	"value" bigint NOT NULL,
	CONSTRAINT "revision_counter_single_row" CHECK ("revision_counter"."id" = 1)
);
--> statement-breakpoint
CREATE INDEX "objects_kind_node_name_idx" ON "objects" USING btree ("kind","node_name");