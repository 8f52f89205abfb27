/*
 * hsds_schema.h — the part of the Open Referral HSDS 3.0 tabular data package that sasae writes:
 * six resources (organization, program, service, attribute, taxonomy_term, taxonomy) with their
 * fields in the specification's order, types, formats, titles, constraints and foreign keys.
 *
 * Transcribed mechanically from HSDS 3.0's datapackage.json (../shared/standards/hsds-3.0/) so that
 * the binary needs no copy of the specification at run time; tests/cli/test_export.sh checks every
 * entry against that file and skips when it is absent.  Included by hsds.c only.
 */
#ifndef SASAE_EXPORT_HSDS_SCHEMA_H
#define SASAE_EXPORT_HSDS_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* One field (column) of a resource. */
typedef struct hsds_field {
	const char *name;   /* column name */
	const char *type;   /* Table Schema type: "string", "number", "date", "datetime", "time" */
	const char *format; /* "uuid", "email", "uri" … or NULL */
	const char *title;  /* the specification's title */
	bool required;      /* constraints.required */
	bool unique;        /* constraints.unique */
	const char *const *enumeration; /* constraints.enum (NULL-terminated), or NULL */
} hsds_field;

/* A foreign key: fields of this resource refer to ref_fields of resource. */
typedef struct hsds_foreign_key {
	const char *fields;
	const char *resource;
	const char *ref_fields;
} hsds_foreign_key;

/* One resource (one CSV file) of the package. */
typedef struct hsds_resource {
	const char *name;        /* "organization" */
	const char *path;        /* "organizations.csv" */
	const char *description; /* the specification's description */
	const char *primary_key; /* "id" */
	const hsds_field *fields;
	size_t nfields;
	const hsds_foreign_key *fks;
	size_t nfks;
} hsds_resource;

/* Indexes into hsds_resources. */
enum { HSDS_ORGANIZATION, HSDS_PROGRAM, HSDS_SERVICE, HSDS_ATTRIBUTE, HSDS_TAXONOMY_TERM, HSDS_TAXONOMY, HSDS_NRESOURCES };

static const hsds_field hsds_organization_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"name", "string", NULL, "Name", true, false, NULL},
	{"alternate_name", "string", NULL, "Alternate Name", false, false, NULL},
	{"description", "string", NULL, "Description", true, false, NULL},
	{"email", "string", "email", "Email", false, false, NULL},
	{"website", "string", "uri", "Website", false, false, NULL},
	{"tax_status", "string", NULL, "Tax Status", false, false, NULL},
	{"tax_id", "string", NULL, "Tax Identifier", false, false, NULL},
	{"year_incorporated", "number", NULL, "Year Incorporated", false, false, NULL},
	{"legal_status", "string", NULL, "Legal Status", false, false, NULL},
	{"logo", "string", NULL, "Logo", false, false, NULL},
	{"uri", "string", "uri", "URI", false, false, NULL},
	{"parent_organization_id", "string", "uuid", "Parent Organization Identifier", false, false, NULL},
};
static const hsds_field hsds_program_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"organization_id", "string", "uuid", "Organization Identifier", true, true, NULL},
	{"name", "string", NULL, "Name", true, false, NULL},
	{"alternate_name", "string", NULL, "Alternate Name", false, false, NULL},
	{"description", "string", NULL, "Description", true, false, NULL},
};
static const hsds_foreign_key hsds_program_fks[] = {
	{"organization_id", "organization", "id"},
};
static const char *const hsds_service_status_enum[] = {"active", "inactive", "defunct", "temporarily closed", NULL};
static const hsds_field hsds_service_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"organization_id", "string", "uuid", "Organization Identifier", true, false, NULL},
	{"program_id", "string", "uuid", "Program Identifier", false, false, NULL},
	{"name", "string", NULL, "Name", true, false, NULL},
	{"alternate_name", "string", NULL, "Alternate Name", false, false, NULL},
	{"description", "string", NULL, "Description", false, false, NULL},
	{"url", "string", "uri", "URL", false, false, NULL},
	{"email", "string", "email", "Email", false, false, NULL},
	{"status", "string", NULL, "Status", true, false, hsds_service_status_enum},
	{"interpretation_services", "string", NULL, "Interpretation Services", false, false, NULL},
	{"application_process", "string", NULL, "Application Process", false, false, NULL},
	{"fees_description", "string", NULL, "Fees Description", false, false, NULL},
	{"wait_time", "string", NULL, "Wait Time", false, false, NULL},
	{"fees", "string", NULL, "Fees", false, false, NULL},
	{"accreditations", "string", NULL, "Accreditations", false, false, NULL},
	{"eligibility_description", "string", NULL, "Eligibility Description", false, false, NULL},
	{"minimum_age", "number", NULL, "Minimum Age", false, false, NULL},
	{"maximum_age", "number", NULL, "Maximum Age", false, false, NULL},
	{"assured_date", "date", NULL, "Assured Date", false, false, NULL},
	{"assurer_email", "string", "email", "Assurer Email", false, false, NULL},
	{"licenses", "string", NULL, "Licenses", false, false, NULL},
	{"alert", "string", NULL, "Alert", false, false, NULL},
	{"last_modified", "datetime", NULL, "Last Modified", false, false, NULL},
};
static const hsds_foreign_key hsds_service_fks[] = {
	{"organization_id", "organization", "id"},
	{"program_id", "program", "id"},
};
static const hsds_field hsds_attribute_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"link_id", "string", "uuid", "Link Identifier", true, false, NULL},
	{"taxonomy_term_id", "string", "uuid", "Taxonomy Term Identifier", true, false, NULL},
	{"link_type", "string", NULL, "Link Type", false, false, NULL},
	{"link_entity", "string", NULL, "Link Entity", true, false, NULL},
	{"value", "string", NULL, "Value", false, false, NULL},
};
static const hsds_foreign_key hsds_attribute_fks[] = {
	{"taxonomy_term_id", "taxonomy_term", "id"},
};
static const hsds_field hsds_taxonomy_term_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"code", "string", NULL, "Code", false, true, NULL},
	{"name", "string", NULL, "Name", true, false, NULL},
	{"description", "string", NULL, "Description", true, false, NULL},
	{"parent_id", "string", "uuid", "Parent Identifier", false, false, NULL},
	{"taxonomy", "string", NULL, "Taxonomy", false, false, NULL},
	{"language", "string", NULL, "Language", false, false, NULL},
	{"taxonomy_id", "string", "uuid", "Taxonomy Identifier", false, false, NULL},
	{"term_uri", "string", "uri", "Term URI", false, false, NULL},
};
static const hsds_foreign_key hsds_taxonomy_term_fks[] = {
	{"taxonomy_id", "taxonomy", "id"},
};
static const hsds_field hsds_taxonomy_fields[] = {
	{"id", "string", "uuid", "Identifier", true, true, NULL},
	{"name", "string", NULL, "Name", true, false, NULL},
	{"description", "string", NULL, "Description", true, false, NULL},
	{"uri", "string", "uri", "URI", false, false, NULL},
	{"version", "string", NULL, "Version", false, false, NULL},
};

#define HSDS_N(a) (sizeof a / sizeof a[0])
static const hsds_resource hsds_resources[] = {
	{"organization", "organizations.csv",
	 "The details about each organization delivering services. Each service should be linked to the organization responsible for its delivery. One organization may deliver many services.",
	 "id", hsds_organization_fields, HSDS_N(hsds_organization_fields), NULL, 0},
	{"program", "programs.csv",
	 "The details of collections of related services.",
	 "id", hsds_program_fields, HSDS_N(hsds_program_fields), hsds_program_fks, HSDS_N(hsds_program_fks)},
	{"service", "services.csv",
	 "The details of the services provided by organizations to a range of different groups.",
	 "id", hsds_service_fields, HSDS_N(hsds_service_fields), hsds_service_fks, HSDS_N(hsds_service_fks)},
	{"attribute", "attributes.csv",
	 "A link between a service and one or more classifications that describe the nature of the service provided.",
	 "id", hsds_attribute_fields, HSDS_N(hsds_attribute_fields), hsds_attribute_fks, HSDS_N(hsds_attribute_fks)},
	{"taxonomy_term", "taxonomy_terms.csv",
	 "Each service can be categorized according to one or more taxonomy terms. The taxonomy_term object contains a list of taxonomy terms, their names, and, for hierarchical taxonomies, their structure.",
	 "id", hsds_taxonomy_term_fields, HSDS_N(hsds_taxonomy_term_fields), hsds_taxonomy_term_fks, HSDS_N(hsds_taxonomy_term_fks)},
	{"taxonomy", "taxonomies.csv",
	 "The taxonomies from which taxonomy terms are taken.",
	 "id", hsds_taxonomy_fields, HSDS_N(hsds_taxonomy_fields), NULL, 0},
};

#endif
