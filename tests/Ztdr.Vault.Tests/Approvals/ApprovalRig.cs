using Microsoft.Extensions.Logging.Abstractions;
using Ztdr.Vault.Approvals;
using Ztdr.Vault.Audit;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Tests.Identity;
using Ztdr.Vault.Tests.Locking;
using Ztdr.Vault.Tests.Storage;

namespace Ztdr.Vault.Tests.Approvals;

/// <summary>
/// A real metadata store, a real audit log and a secure clock on a <see cref="ManualClock"/>, with an approval engine
/// over them: expiry is tested by moving the clock, never by waiting.
/// </summary>
internal sealed class ApprovalRig : IDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(24);

    private readonly Tls.TemporaryFolder _auditFolder = new();

    /// <param name="trustedClock">False: the clock starts untrusted, as after losing clock.json.</param>
    /// <param name="readOnlyAudit">True: the audit log accepts no records, as on a full disk.</param>
    public ApprovalRig(bool trustedClock = true, bool readOnlyAudit = false)
    {
        if (trustedClock)
        {
            ClockStore.Save(new TrustedTimeRecord(Time.GetUtcNow(), Time.GetUtcNow()));
        }

        Clock = new SecureClock(Time, ClockStore, SecureClockSettings.DriftThreshold);
        Audit = AuditLog.Open(AuditDirectory);
        if (readOnlyAudit)
        {
            Audit.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Audit = AuditLog.OpenReadOnly(AuditDirectory, "no space (test)");
        }
        Engine = new ApprovalEngine(Vault.Store.Database, Audit, () => Clock.Now.Now, Ttl, new SensitiveOperations(Vault.Store, Clock), NullLogger.Instance);
    }

    public ManualClock Time { get; } = new();

    public TestVault Vault { get; } = new();

    public InMemoryTrustedTimeStore ClockStore { get; } = new();

    public SecureClock Clock { get; }

    public AuditLog Audit { get; }

    public string AuditDirectory => _auditFolder.Combine("audit");

    public ApprovalEngine Engine { get; }

    /// <summary>The audit chain's records so far (the log stays open).</summary>
    public IReadOnlyList<AuditEvent> AuditEvents() => AuditLog.Tail(AuditDirectory, 1000).Select(r => r.Event).ToList();

    public void Dispose()
    {
        Audit.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Vault.Dispose();
        _auditFolder.Dispose();
    }
}
