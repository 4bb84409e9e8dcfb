using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.Application;
using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Jobs;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Communications.V1.Communication.Types;
using DeliveryState = Ent.Partnership.Communications.V1.Delivery.Types.State;

namespace Ent.Partnership.Communications.Publication;

/// <summary>How the publisher paces itself.</summary>
public sealed record PublicationOptions
{
    /// <summary>How often it looks for due work when nobody nudges it.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many pushes run at once.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Pushes to one school before its delivery is FAILED.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>The first back-off; it doubles at every attempt, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest back-off.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The three above, as the deliveries' rules take them.</summary>
    public RetryPolicy Retries => new(MaxAttempts, BaseDelay, MaxDelay);

    /// <summary>How long a claimed delivery is left to its claimant before another pass takes it again.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Publication: deliveries made when a message is published, pushed to the ENT with retries, retracted
/// when it is withdrawn. Every step is a versioned write, so a delivery claimed by a process that dies is
/// taken again when its lease ends (the ENT's idempotency id makes the second push harmless).
/// </summary>
public sealed class Publications(
    CommunicationRepository repository, CharterCheck check, EntConnector ent, PublicationOptions options, TimeProvider time, ILogger<Publications> logger)
    : IPasses
{
    private static readonly Dictionary<Audience, string[]> Profiles = new()
    {
        [Audience.Pupils] = ["National_ELV"],
        [Audience.Parents] = ["National_TUT"],
        [Audience.Staff] = ["National_ENS", "National_DIR", "National_EVS", "National_ETA", "National_DOC"],
    };

    private readonly Wakeup _wakeup = new();

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    /// <summary>Asks the publisher to look for work now rather than at its next tick.</summary>
    public void Nudge() => _wakeup.Nudge();

    /// <summary>Waits for a nudge or the interval.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _wakeup.WaitAsync(options.Interval, cancellationToken);

    /// <summary>Publishes a checked message: PUBLISHED, one PENDING delivery per school, in one write.</summary>
    public async Task<Communication> StartAsync(Communication message, long version, CheckResult result, State previous)
    {
        result.ApplyTo(message);
        message.State = State.Published;
        message.PublicationStartTime = message.UpdateTime = Now;
        message.DeliverySummary = new DeliverySummary { Pending = result.Schools.Count };
        var batch = repository.Store.NewBatch();
        repository.Put(batch, message, version);
        foreach (var school in result.Schools)
        {
            var schoolId = school.Party.Name["parties/".Length..];
            repository.PutDelivery(batch, new Delivery
            {
                Name = $"{message.Name}/deliveries/{schoolId}",
                School = school.Party.Name,
                Uai = school.Party.Uai,
                State = DeliveryState.Pending,
                EntItemId = $"{CommunicationRepository.IdOf(message.Name)}.{schoolId}.r{message.Revision}",
                NextAttemptTime = Now,
            }, expectedVersion: 0);
        }

        batch.Publish(CommunicationEvents.StateChanged(message, previous, time));
        var written = await batch.CommitAsync();
        logger.LogInformation("{Communication} published to {Schools} schools", message.Name, result.Schools.Count);
        Nudge();
        message.Etag = Document.EtagOf(written.Versions[0]);
        return message;
    }

    /// <summary>
    /// Ends a message (WITHDRAWN, REJECTED): every delivery that may have reached the ENT is to be retracted,
    /// the others are dropped. Retried when the publisher writes meanwhile. The last <c>newReviews</c> reviews
    /// (a reviewer's refusal) are each told by an event.
    /// </summary>
    public async Task<Communication> EndAsync(Communication changed, long version, State state, string reason, int newReviews = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            var previous = changed.State;
            changed.State = state;
            changed.StateReason = reason;
            changed.UpdateTime = Now;
            var deliveries = await repository.DeliveriesOfAsync(changed.Name);
            var batch = repository.Store.NewBatch();
            var after = new List<Delivery>();
            foreach (var stored in deliveries)
            {
                var delivery = stored.Resource.Clone();
                if (delivery.State == DeliveryState.Pending && delivery.Attempts == 0)
                {
                    delivery.State = DeliveryState.Retracted;
                    delivery.NextAttemptTime = null;
                }
                else if (delivery.State != DeliveryState.Retracted && delivery.Attempts > 0)
                {
                    delivery.Retracting = true;
                    delivery.NextAttemptTime = Later(delivery.NextAttemptTime, Now);
                }

                after.Add(delivery);
                if (!delivery.Equals(stored.Resource))
                {
                    repository.PutDelivery(batch, delivery, stored.Version);
                    batch.Publish(CommunicationEvents.Of(new DeliveryUpdated { Delivery = delivery }, delivery.Name, changed, time));
                }
            }

            changed.DeliverySummary = deliveries.Count > 0 ? DeliveryLifecycle.Summarize(after) : null;
            repository.Put(batch, changed, version);
            foreach (var review in changed.Reviews.TakeLast(newReviews))
            {
                batch.Publish(CommunicationEvents.Of(new CommunicationReviewed { Communication = changed, Review = review }, changed.Name, changed, time));
            }

            batch.Publish(CommunicationEvents.StateChanged(changed, previous, time));
            try
            {
                var written = await batch.CommitAsync();
                Nudge();
                changed.Etag = Document.EtagOf(written.Versions[batch.Count - 1]);
                return changed;
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
                var fresh = await repository.GetAsync(CommunicationRepository.IdOf(changed.Name)) ?? throw new NotFoundException(changed.Name);
                if (fresh.Resource.State != previous)
                {
                    throw;
                }

                var reviews = changed.Reviews.Skip(fresh.Resource.Reviews.Count).ToList();
                changed = fresh.Resource.Clone();
                changed.Reviews.Add(reviews);
                version = fresh.Version;
            }
        }
    }

    /// <summary>The FAILED deliveries of a message, PENDING again with a fresh count of attempts.</summary>
    public async Task RetryFailedAsync(Communication message)
    {
        var name = message.Name;
        foreach (var stored in await repository.DeliveriesOfAsync(name))
        {
            if (stored.Resource.State != DeliveryState.Failed)
            {
                continue;
            }

            var delivery = stored.Resource.Clone();
            delivery.State = DeliveryState.Pending;
            delivery.Attempts = 0;
            delivery.NextAttemptTime = Now;
            var batch = repository.Store.NewBatch();
            repository.PutDelivery(batch, delivery, stored.Version);
            batch.Publish(CommunicationEvents.Of(new DeliveryUpdated { Delivery = delivery }, delivery.Name, message, time));
            await batch.CommitAsync();
        }

        await RefreshSummaryAsync(name);
        Nudge();
    }

    /// <summary>One pass: publications due, messages expired, deliveries due.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var stored in await repository.ListAllAsync([new IndexTerm("state", "APPROVED")]))
        {
            if (stored.Resource.PublishTime is null || stored.Resource.PublishTime.ToDateTimeOffset() <= now)
            {
                await TryAsync(stored.Resource.Name, () => PublishApprovedAsync(stored));
            }
        }

        foreach (var state in new[] { "PENDING_VALIDATION", "APPROVED", "PUBLISHED" })
        {
            foreach (var stored in await repository.ListAllAsync([new IndexTerm("state", state)]))
            {
                if (stored.Resource.ExpireTime is { } expire && expire.ToDateTimeOffset() <= now)
                {
                    await TryAsync(stored.Resource.Name, () => ExpireAsync(stored));
                }
            }
        }

        var due = (await repository.DeliveriesToWorkAsync()).Where(d => d.Resource.NextAttemptTime is null || d.Resource.NextAttemptTime.ToDateTimeOffset() <= now).ToList();
        if (due.Count == 0)
        {
            return;
        }

        var messages = new Dictionary<string, Communication?>(StringComparer.Ordinal);
        foreach (var parent in due.Select(d => CommunicationRepository.ParentOf(d.Resource.Name)).Distinct())
        {
            messages[parent] = (await repository.GetAsync(CommunicationRepository.IdOf(parent)))?.Resource;
        }

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (stored, token) =>
            {
                if (messages[CommunicationRepository.ParentOf(stored.Resource.Name)] is { } message)
                {
                    await TryAsync(stored.Resource.Name, () => WorkAsync(stored, message, token));
                }
            });
        foreach (var parent in messages.Keys)
        {
            await TryAsync(parent, () => RefreshSummaryAsync(parent));
        }
    }

    /// <summary>The check runs again at publication: a new BLOCK sends the message back to its issuer.</summary>
    private async Task PublishApprovedAsync(Stored<Communication> stored)
    {
        var message = stored.Resource.Clone();
        var result = await check.RunAsync(message);
        if (!result.Blocked)
        {
            await StartAsync(message, stored.Version, result, State.Approved);
            return;
        }

        message.Verdict = result.Verdict;
        message.State = State.ChangesRequested;
        message.StateReason = "Le contrôle de la charte à la publication a trouvé une infraction : " + string.Join(", ",
            result.Verdict.Findings.Where(f => f.Severity == V1.Finding.Types.Severity.Block).Select(f => f.RuleId).Distinct());
        message.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.Put(batch, message, stored.Version);
        batch.Publish(CommunicationEvents.StateChanged(message, State.Approved, time));
        await batch.CommitAsync();
        logger.LogInformation("{Communication} sent back at publication: {Reason}", message.Name, message.StateReason);
    }

    /// <summary>EXPIRED after its expiry; deliveries not made by then are given up.</summary>
    private async Task ExpireAsync(Stored<Communication> stored)
    {
        var message = stored.Resource.Clone();
        var batch = repository.Store.NewBatch();
        var deliveries = await repository.DeliveriesOfAsync(message.Name);
        var after = new List<Delivery>();
        foreach (var delivery in deliveries)
        {
            var updated = delivery.Resource.Clone();
            if (updated.State == DeliveryState.Pending && !updated.Retracting)
            {
                updated.State = DeliveryState.Failed;
                updated.LastError = "Message expiré avant sa livraison.";
                updated.NextAttemptTime = null;
                repository.PutDelivery(batch, updated, delivery.Version);
                batch.Publish(CommunicationEvents.Of(new DeliveryUpdated { Delivery = updated }, updated.Name, message, time));
            }

            after.Add(updated);
        }

        message.State = State.Expired;
        message.UpdateTime = Now;
        if (after.Count > 0)
        {
            message.DeliverySummary = DeliveryLifecycle.Summarize(after);
        }

        repository.Put(batch, message, stored.Version);
        batch.Publish(CommunicationEvents.StateChanged(message, stored.Resource.State, time));
        await batch.CommitAsync();
    }

    /// <summary>Claims a delivery (a versioned write with a lease), makes the call, records what came of it.</summary>
    private async Task WorkAsync(Stored<Delivery> stored, Communication message, CancellationToken cancellationToken)
    {
        var delivery = stored.Resource.Clone();
        var retracting = delivery.Retracting;
        if (!retracting && message.State != State.Published)
        {
            return;
        }

        if (!retracting)
        {
            delivery.Attempts++;
        }

        delivery.NextAttemptTime = Timestamp.FromDateTimeOffset(time.GetUtcNow() + options.Lease);
        var batch = repository.Store.NewBatch();
        repository.PutDelivery(batch, delivery, stored.Version);
        var claimed = (await batch.CommitAsync()).Versions[0];

        var outcome = retracting
            ? await ent.RetractAsync(delivery.Uai, delivery.EntItemId, cancellationToken)
            : await ent.PushAsync(delivery.Uai, NewsOf(message, delivery), cancellationToken);
        DeliveryLifecycle.Record(delivery, outcome, retracting, time.GetUtcNow(), options.Retries, Random.Shared.NextDouble());
        batch = repository.Store.NewBatch();
        repository.PutDelivery(batch, delivery, claimed);
        batch.Publish(CommunicationEvents.Of(new DeliveryUpdated { Delivery = delivery }, delivery.Name, message, time));
        await batch.CommitAsync();
    }

    private async Task RefreshSummaryAsync(string name)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var stored = await repository.GetAsync(CommunicationRepository.IdOf(name));
            if (stored is null)
            {
                return;
            }

            var summary = DeliveryLifecycle.Summarize((await repository.DeliveriesOfAsync(name)).Select(d => d.Resource));
            if (summary.Equals(stored.Resource.DeliverySummary))
            {
                return;
            }

            var message = stored.Resource.Clone();
            message.DeliverySummary = summary;
            var batch = repository.Store.NewBatch();
            repository.Put(batch, message, stored.Version);
            try
            {
                await batch.CommitAsync();
                return;
            }
            catch (ConcurrencyConflictException)
            {
            }
        }
    }

    private static EntNews NewsOf(Communication message, Delivery delivery) => new(
        delivery.EntItemId,
        message.Title,
        message.Body,
        message.Audiences.SelectMany(a => Profiles[a]).ToList(),
        (message.PublicationStartTime ?? message.PublishTime).ToDateTimeOffset(),
        message.ExpireTime?.ToDateTimeOffset(),
        message.Issuer,
        message.Attachments.Select(a => new EntAttachment(a.Uri, a.Title, a.MediaType, a.AltText, a.SizeBytes)).ToList());

    private static Timestamp Later(Timestamp? a, Timestamp b) => a is not null && a > b ? a : b;

    /// <summary>A step that loses a race (another writer, another replica) is left to the next pass.</summary>
    private async Task TryAsync(string name, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (ConcurrencyConflictException)
        {
            logger.LogDebug("{Resource} changed meanwhile; the next pass looks again", name);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Publication step for {Resource} failed; the next pass tries again", name);
        }
    }
}
