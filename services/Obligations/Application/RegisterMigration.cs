using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Storage;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Application;

/// <summary>
/// Brings a register written before obligations had identities up to date, once, as the service starts
/// (one replica at a time): each obligation gets its slot, each identity's live obligation its claim, and
/// where the old planner made several live obligations for one identity, all but one become SUPERSEDED (the
/// one with evidence or tickets, else a waived one, else the oldest, stays). Planning and the clock wait for it.
/// </summary>
public sealed class RegisterMigration(IOneAtATime oneAtATime, ObligationRepository repository, TimeProvider time, ILogger<RegisterMigration> logger)
    : BackgroundService
{
    private const string Step = "identities";

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the register has identities.</summary>
    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await oneAtATime.RunAsync(nameof(RegisterMigration), MigrateAsync, stoppingToken);
                _ready.TrySetResult();
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "The register's migration failed; it tries again");
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            }
        }
    }

    /// <summary>Does the step unless it is recorded as done; returns how many documents (obligations and claims) it wrote.</summary>
    public async Task<int> MigrateAsync()
    {
        if (await repository.Store.GetAsync(ObligationRepository.Migrations, Step) is not null)
        {
            return 0;
        }

        var signatories = (await repository.ConventionsInForceAsync())
            .ToDictionary(c => c.Name, c => c.Signatories.Select(s => s.Party).ToList(), StringComparer.Ordinal);
        var all = (await repository.ListAllAsync([])).ToList();
        var written = 0;
        foreach (var identity in all.GroupBy(s => ObligationIdentity.Of(WithSlot(s.Obligation, signatories))))
        {
            var live = identity.Where(s => s.Obligation.Status != Status.Superseded).ToList();
            var keeper = live.Count > 1 ? Register.KeeperOf(live.Select(s => s.Obligation).ToList(), await WithWorkAsync(live)) : live.FirstOrDefault()?.Obligation;
            var batch = repository.Store.NewBatch();
            foreach (var stored in identity)
            {
                var obligation = WithSlot(stored.Obligation, signatories);
                if (keeper is not null && obligation.Name != keeper.Name && obligation.Status != Status.Superseded)
                {
                    obligation.Status = Status.Superseded;
                    obligation.SupersededBy = keeper.Name;
                    obligation.StatusReason = $"Doublon de {keeper.Name} laissé par l'ancien planificateur.";
                }

                if (!obligation.Equals(stored.Obligation))
                {
                    repository.Put(batch, obligation, stored.Version);
                }
            }

            if (keeper is not null && (await repository.ClaimsAsync([identity.Key])).Count == 0)
            {
                repository.Claim(batch, WithSlot(keeper, signatories), 0);
            }

            if (batch.Count > 0)
            {
                await batch.CommitAsync();
                written += batch.Count;
            }
        }

        var done = repository.Store.NewBatch();
        done.Put(ObligationRepository.Migrations, Step, 0, System.Text.Encoding.UTF8.GetBytes(time.GetUtcNow().ToString("O")), []);
        try
        {
            await done.CommitAsync();
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by another replica whose lease ran out while this one worked: the same step, done twice.
        }

        logger.LogInformation("Register migration: {Obligations} obligations, {Written} documents written", all.Count, written);
        return written;
    }

    /// <summary>A copy of the obligation with its slot, told by its name when it was stored without one.</summary>
    private static Obligation WithSlot(Obligation obligation, IReadOnlyDictionary<string, List<string>> signatories)
    {
        var copy = obligation.Clone();
        copy.Signatory = ObligationPlanner.SlotOf(obligation, signatories.GetValueOrDefault(obligation.Convention) ?? []);
        return copy;
    }

    /// <summary>The names of the obligations that have evidence or tickets.</summary>
    private async Task<ISet<string>> WithWorkAsync(IEnumerable<StoredObligation> obligations)
    {
        var withWork = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stored in obligations)
        {
            if ((await repository.AllEvidenceAsync(stored.Obligation.Name)).Count > 0 || (await repository.TicketsOfAsync(stored.Obligation.Name)).Count > 0)
            {
                withWork.Add(stored.Obligation.Name);
            }
        }

        return withWork;
    }
}
