"""AccountStatus, Account_VGA and Cartes SIM files through `import_file`: handed to provisioning."""

from cdr_import.models import ImportStatus, RejectedRow
from cdr_import.services import import_file
from provisioning.models import OperatorDisagreement, Sim
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema


def _import(path, **kwargs):
    return import_file(path=path, source="command", by=None, now=NOW, **kwargs)


def test_a_sim_listing_file_fills_the_sim_stock(acme):
    with in_schema(acme):
        done = _import(SAMPLES / "SIM_ACME_CMD-000042.csv")
        assert done.feed_type == "sim" and done.status == ImportStatus.DONE
        assert (done.rows, done.imported, done.rejected) == (12, 12, 0)
        assert Sim.objects.filter(order_ref="CMD-000042").count() == 12


def test_a_refused_sim_listing_keeps_each_fault_as_a_rejected_row(acme, tmp_path):
    with in_schema(acme):
        _import(SAMPLES / "SIM_ACME_CMD-000042.csv")
        again = tmp_path / "SIM_ACME_CMD-000043.csv"
        again.write_bytes((SAMPLES / "SIM_ACME_CMD-000042.csv").read_bytes() + b"\n")  # other content
        done = _import(again)
        assert done.status == ImportStatus.REJECTED
        faults = list(RejectedRow.objects.filter(feed_import=done))
        assert len(faults) == 12 and all(f.field == "ICCID" for f in faults)
        assert "already in the SIM stock" in faults[0].reason
        assert Sim.objects.count() == 12


def test_an_account_status_file_is_the_operators_snapshot(acme):
    with in_schema(acme):
        _import(SAMPLES / "SIM_ACME_CMD-000042.csv")
        done = _import(SAMPLES / "AccountStatus_ACME_20261021150000.csv")
        assert done.feed_type == "account_status" and done.status == ImportStatus.DONE
        assert (done.rows, done.imported) == (12, 12)
        # The SIMs the operator shows active are not lines of ours: each is a disagreement.
        assert OperatorDisagreement.objects.exists()
        assert Sim.objects.filter(iccid="8933012026100000111").get().state == "terminated"


def test_a_faulty_account_status_row_is_rejected_the_others_imported(acme, tmp_path):
    with in_schema(acme):
        lines = (SAMPLES / "AccountStatus_ACME_20261021150000.csv").read_text().splitlines()
        lines[2] = lines[2].replace(";ACTIVE;", ";SLEEPING;")
        path = tmp_path / "AccountStatus_ACME_20261022150000.csv"
        path.write_text("\n".join(lines) + "\n")
        done = _import(path)
        assert done.status == ImportStatus.DONE_WITH_REJECTIONS
        assert (done.rows, done.imported, done.rejected) == (12, 11, 1)
        fault = RejectedRow.objects.get(feed_import=done)
        assert (fault.line, fault.field) == (3, "STATUS")


def test_an_account_vga_file_updates_the_fixed_numbers(nova_lines):
    with in_schema(nova_lines):
        done = _import(SAMPLES / "Account_VGA_NOVA_20261021.csv")
        assert done.feed_type == "account_vga" and done.status == ImportStatus.DONE
        assert done.imported == 3
