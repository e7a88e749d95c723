"""Every write service records what it did: each public function of a `services*.py` calls
`audit_record`, calls another service that does, or is listed here with why it need not."""

import ast
from pathlib import Path

from django.conf import settings

NOT_AUDITED = {
    "accounts.user_set_language": "a display preference of the user's own",
    "accounts.password_reset_link": "builds a link, changes nothing",
    "audit.audit_record": "the audit itself",
    "cdr_import.import_receive": "records a file's arrival; reading it (import_process) is audited",
    "audit.audit_changes": "the audit helper itself",
    "customers.customer_number_next": "a counter used inside customer_create (audited)",
    "customers.mandate_record_debit": "the billing run's bookkeeping of a debit (FRST→RCUR)",
    "billing.invoices_number": "the numbering step of billing_run_finalize (audited)",
    "billing.email_deliver": "each e-mail is its own record (InvoiceEmail: to, status, attempts, sent at)",
    "billing.mailing_execute": "sends a mailing's e-mails, each its own record (the mailing's creation is audited)",
    "billing.invoice_mark_sent": "part of email_deliver: the e-mail row records the sending",
    "billing.invoice_state": "computes a state, changes nothing",
    "billing.reminder_delays": "reads the settings' delays, changes nothing",
    "billing.mailing_counts": "a read",
    "billing.bounce_parse": "reads a bounce report, changes nothing (bounces_record marks the e-mails, audited)",
    "billing.message_id_make": "builds a Message-ID, changes nothing",
    "billing.sepa_file_build": "builds and checks the XML of sepa_batch_generate (audited), saves nothing",
    "billing.sepa_return_file_read": "reads a bank file, changes nothing",
    "billing.sepa_xml_validate": "a check against the XSD, changes nothing",
    "jobs.job_create": "jobs are their own record (who, when, progress)",
    "jobs.job_start": "jobs are their own record",
    "jobs.job_progress": "jobs are their own record",
    "jobs.job_finish": "jobs are their own record",
    "jobs.job_fail": "jobs are their own record",
    "jobs.heartbeat_record": "worker liveness, not an action",
    "offers.rate_file_read": "reads an upload, changes nothing",
    "offers.rate_errors_csv": "formats a refused file's faults, changes nothing",
    "offers.rate_errors_archive": "keeps a refused file's fault list for its download (the refusal is what the user sees)",
    "tenants.platform_ensure": "creates the platform row at install",
    "tenants.domain_validate": "a check, changes nothing",
    "tenants.tenant_identity_clean": "a check, changes nothing",
    "tenants.onboarding_checklist_ensure": "part of tenant_create (audited)",
    "tenants.onboarding_steps_pending": "a read",
    "tenants.feed_settings_for": "decrypts for a connection, changes nothing",
    "tenants.color_clean": "a check, changes nothing",
    "tenants.email_template_preview": "renders a draft, saves nothing",
    "customers.charge_check": "a check step (a form runs it when a field failed), changes nothing",
    "customers.customer_check": "a check step (a form runs it when a field failed), changes nothing",
    "customers.mandate_check": "a check step (a form runs it when a field failed), changes nothing",
    "customers.payment_check": "a check step (a form runs it when a field failed), changes nothing",
    "offers.allowance_check": "a check step (a form runs it when a field failed), changes nothing",
    "offers.catalogue_item_check": "a check step (a form runs it when a field failed), changes nothing",
    "offers.rate_check": "a check step (a form runs it when a field failed), changes nothing",
    "offers.rate_table_check": "a check step (a form runs it when a field failed), changes nothing",
    "tenants.tenant_create_check": "a check step (a form runs it when a field failed), changes nothing",
    "tenants.bank_details_check": "a check step (a form runs it when a field failed), changes nothing",
    "tenants.branding_check": "a check step (a form runs it when a field failed), changes nothing",
    "tenants.email_template_check": "a check step (a form runs it when a field failed), changes nothing",
    "tenants.staff_invite_check": "a check step (a form runs it when a field failed), changes nothing",
    "provisioning.order_line_check": "a check step (a form runs it when a field failed), changes nothing",
    "cdr_import.feed_type_detect": "reads a file name, changes nothing",
    "cdr_import.import_run": "runs a deposit through import_file (audited)",
    "cdr_import.import_reprocess_refusal": "a check, changes nothing",
    "cdr_import.lines_rating": "a read: every line with its rating key",
    "cdr_import.period_line_batches": "a read of the stored CDRs (settling and what-if pricing)",
    "cdr_import.rate_line_records": "rates records in memory, writes nothing (settling writes and is audited)",
    "cdr_import.feed_folder_paths": "a layout of the feed, changes nothing",
    "cdr_import.feed_folders_ensure": "creates the folders' rows with their default rhythm (setup)",
    "cdr_import.feed_folder_is_due": "a check, changes nothing",
    "cdr_import.feed_folders_due": "a read",
    "cdr_import.import_report_csv": "formats an import's report, changes nothing",
    "cdr_import.report_name": "names a report, changes nothing",
    "billing.billing_run_finalize_check": "a check, changes nothing",
    "billing.chain_append": "a step of issuing or recording a payment (audited by its caller)",
    "billing.chain_head_lock": "takes a lock, changes nothing",
    "billing.chain_verify": "a read (billing_verify)",
    "billing.link_digest": "computes a digest, changes nothing",
    "billing.record_content": "a read",
    "billing.record_kind": "a read",
    "billing.record_name": "a read",
    "billing.run_pdfs_job_create": "creates the job of an audited finalization or PDF resume",
    "billing.run_pdfs_render": "renders the PDFs of an issued run (the finalization is audited; each PDF is set once)",
    "billing.unpaid_invoices_blocker": "a check, changes nothing",
    "cdr_import.allowance_consumption": "a read",
    "cdr_import.consumption_alerts_raise": "a step of an audited import; each alert is a record of its own and a barring goes through the audited line action",
    "cdr_import.month_from_name": "reads a file name",
    "cdr_import.operator_invoice_output": "formats the Output, changes nothing",
    "cdr_import.operator_invoices_store": "a step of an audited import (feed_import.processed)",
    "cdr_import.operator_pdf_import": "a feed handler: the import is audited",
    "cdr_import.operator_pdf_list": "a read",
    "cdr_import.operator_pdf_months": "a read",
    "cdr_import.output_csv": "formats a file, changes nothing",
    "cdr_import.output_rows_read": "reads a file",
    "cdr_import.period_bounds": "computes dates",
    "cdr_import.profile_check": "a check, changes nothing",
    "cdr_import.reading_profile_try": "a read: the first rows of a sample file, nothing stored",
    "cdr_import.roaming_cap_lifted": "a read",
    "cdr_import.usage_settings_get": "a read (creates the defaults row on first read)",
    "reports.daily_usage_after_import": "figures derived inside the import (audited as feed_import.processed)",
    "reports.daily_usage_after_rerating": "figures derived inside a settle or a rating of unknown lines (audited by them)",
}


def _service_functions() -> dict[str, ast.FunctionDef]:
    found = {}
    base = Path(settings.BASE_DIR)
    # Service modules by another name (a part of an app's services with its own module).
    named = ["billing/issuing.py", "billing/chain.py", "cdr_import/operator_invoices.py",
             "cdr_import/operator_pdfs.py", "cdr_import/usage.py", "cdr_import/settle.py"]  # fmt: skip
    paths = [*base.glob("*/services*.py"), *base.glob("*/*/services.py"), *(base / n for n in named)]
    for path in sorted(p for p in paths if not p.relative_to(base).parts[0].startswith(".")):
        app = path.relative_to(base).parts[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                found[f"{app}.{node.name}"] = node
    return found


def _called_names(node: ast.FunctionDef) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_every_write_service_is_audited():
    functions = _service_functions()
    audited = {
        name.split(".")[1] for name, node in functions.items() if "audit_record" in _called_names(node)
    }
    # A service that delegates to an audited one (user_create, ledger_entry_add…) is audited too.
    changed = True
    while changed:
        changed = False
        for name, node in functions.items():
            short = name.split(".")[1]
            if short not in audited and _called_names(node) & audited:
                audited.add(short)
                changed = True
    missing = sorted(
        name for name in functions if name.split(".")[1] not in audited and name not in NOT_AUDITED
    )
    assert missing == [], f"write services that record nothing in the audit trail: {missing}"
    assert set(NOT_AUDITED) <= set(functions), "the allow-list names a service that no longer exists"
