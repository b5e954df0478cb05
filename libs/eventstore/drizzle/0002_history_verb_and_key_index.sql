ALTER TABLE "events" ADD COLUMN "verb" text;--> statement-breakpoint
CREATE INDEX "events_kind_namespace_name_revision_idx" ON "events" USING btree ("kind","namespace","name","revision");