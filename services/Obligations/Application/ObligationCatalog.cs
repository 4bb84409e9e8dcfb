using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Redis;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Application;

/// <summary>The obligations service's operations: reads for partners, and what the conventions' events cause.</summary>
public sealed class ObligationCatalog(ObligationRepository repository, PartySuccessions successions, PartyDirectory directory, TimeProvider time)
{
    public const string EventSource = "/ent-partnership/obligations";

    private static readonly string[] ListFields = ["convention", "obligor", "kind", "status", "period_start"];

    public DateOnly Today => CivilDate.Today(time);

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Obligation> GetAsync(string name)
    {
        var id = ResourceName.ParseId(name, "obligations", "name");
        return (await repository.GetAsync(id))?.Obligation ?? throw new NotFoundException(name);
    }

    public async Task<(IReadOnlyList<Obligation> Obligations, string NextPageToken)> ListAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ListFields);
        var terms = filter.Terms.Select(t => t.Field switch
        {
            "kind" => new IndexTerm("kind", ProtoEnum.Name(ProtoEnum.Parse<ObligationClause.Types.Kind>(t.Value, "filter"))),
            "status" => new IndexTerm("status", ProtoEnum.Name(ProtoEnum.Parse<Status>(t.Value, "filter"))),
            "period_start" => new IndexTerm("period_start", CivilDate.TryParse(t.Value, out var day)
                ? day.ToText()
                : throw new InvalidArgumentException("filter", $"period_start attend une date AAAA-MM-JJ, non « {t.Value} ».")),
            _ => new IndexTerm(t.Field, t.Value),
        }).ToList();
        return await repository.ListAsync(terms, Paging.PageSize(pageSize), pageToken, filterText);
    }

    /// <summary>The compliance report of a convention for a school year.</summary>
    public async Task<ComplianceReport> ReportAsync(string convention, string schoolYear)
    {
        ResourceName.ParseId(convention, "conventions", "convention");
        var yearStart = ComplianceReporting.ParseSchoolYear(schoolYear);
        var schools = directory.AllSchoolsAsync();
        var obligations = (await repository.ListAllAsync([new IndexTerm("convention", convention), new IndexTerm("period_start", yearStart.ToText())]))
            .Select(o => o.Obligation).ToList();
        var training = new List<Evidence>();
        foreach (var obligation in obligations.Where(o => o.Kind == ObligationClause.Types.Kind.Training))
        {
            training.AddRange(await repository.AllEvidenceAsync(obligation.Name));
        }

        var report = ComplianceReporting.Build(convention, yearStart, obligations, training, await schools);
        report.GenerateTime = Now;
        return report;
    }

    /// <summary>Records evidence, then recomputes what the obligation has achieved and how it stands.</summary>
    public async Task<Evidence> CreateEvidenceAsync(Caller caller, string parent, Evidence? evidence, string requestId)
    {
        if (evidence is null)
        {
            throw new InvalidArgumentException("evidence", "Le justificatif est obligatoire.");
        }

        var id = ResourceName.ParseId(parent, "obligations", "parent");
        if (requestId.Length > 0 && await repository.Store.FindRequestAsync("create-evidence", requestId) is { } earlier)
        {
            return (await repository.AllEvidenceAsync(parent)).FirstOrDefault(e => e.Name == earlier) ?? throw new NotFoundException(earlier);
        }

        for (var attempt = 1; ; attempt++)
        {
            var stored = await repository.GetAsync(id) ?? throw new NotFoundException(parent);
            RequireObligor(caller, stored.Obligation);

            EvidenceRules.Check(stored.Obligation, evidence, Today);
            await directory.CheckSchoolsAsync(evidence.TrainingSession?.Schools ?? []);
            var recorded = evidence.Clone();
            recorded.Name = $"{parent}/evidence/{ResourceName.NewId("", "evidenceId", "e")}";
            recorded.RecordedBy = caller.Party ?? caller.Service ?? "admin";
            recorded.CreateTime = Now;
            var all = (await repository.AllEvidenceAsync(parent)).Append(recorded).ToList();
            var obligation = stored.Obligation.Clone();
            obligation.Achieved = EvidenceRules.Achieved(obligation, all);
            var batch = repository.Store.NewBatch();
            repository.PutEvidence(batch, recorded);
            Update(batch, obligation, stored);
            if (requestId.Length > 0)
            {
                batch.ForRequest("create-evidence", requestId, recorded.Name);
            }

            try
            {
                await batch.CommitAsync();
                return recorded;
            }
            catch (ConcurrencyConflictException) when (attempt < 3)
            {
            }
        }
    }

    public async Task<(IReadOnlyList<Evidence> Evidence, string NextPageToken)> ListEvidenceAsync(string parent, int pageSize, string pageToken)
    {
        await GetAsync(parent);
        return await repository.ListEvidenceAsync(parent, Paging.PageSize(pageSize), pageToken);
    }

    public async Task<Ticket> CreateTicketAsync(Caller caller, Ticket? ticket, string requestId)
    {
        if (ticket is null)
        {
            throw new InvalidArgumentException("ticket", "Le ticket est obligatoire.");
        }

        var obligationId = ResourceName.ParseId(ticket.Obligation, "obligations", "obligation");
        if (requestId.Length > 0 && await repository.Store.FindRequestAsync("create-ticket", requestId) is { } earlier)
        {
            return await GetTicketAsync(earlier);
        }

        var stored = await repository.GetAsync(obligationId) ?? throw new InvalidArgumentException("obligation", $"L'obligation {ticket.Obligation} n'existe pas.");
        RequireObligor(caller, stored.Obligation);
        var school = await directory.SchoolAsync(ticket.School);
        var opened = ticket.Clone();
        opened.Name = "tickets/" + ResourceName.NewId("", "ticketId", "t");
        TicketLifecycle.Open(opened, stored.Obligation, BusinessCalendar.ForSchool(school.Uai), time.GetUtcNow());
        opened.UpdateTime = Now;
        await WriteTicketAsync(opened, 0, stored, requestId);
        return opened;
    }

    public async Task<Ticket> GetTicketAsync(string name) =>
        (await repository.GetTicketAsync(ResourceName.ParseId(name, "tickets", "name")))?.Ticket ?? throw new NotFoundException(name);

    public async Task<(IReadOnlyList<Ticket> Tickets, string NextPageToken)> ListTicketsAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ["obligation", "school", "state"]);
        var terms = filter.Terms.Select(t => t.Field == "state"
            ? new IndexTerm("state", ProtoEnum.Name(ProtoEnum.Parse<Ticket.Types.State>(t.Value, "filter")))
            : new IndexTerm(t.Field, t.Value)).ToList();
        return await repository.ListTicketsAsync(terms, Paging.PageSize(pageSize), pageToken, filterText);
    }

    /// <summary>A step of a ticket's life, then its obligation's share of tickets in time recomputed with it.</summary>
    public async Task<Ticket> ActOnTicketAsync(Caller caller, string name, Action<Ticket, Obligation, BusinessCalendar, DateTimeOffset> step)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (ticket, version) = await repository.GetTicketAsync(ResourceName.ParseId(name, "tickets", "name")) ?? throw new NotFoundException(name);
            var stored = await repository.GetAsync(ObligationRepository.IdOf(ticket.Obligation)) ?? throw new NotFoundException(ticket.Obligation);
            RequireObligor(caller, stored.Obligation);
            var school = await directory.SchoolAsync(ticket.School);
            var changed = ticket.Clone();
            step(changed, stored.Obligation, BusinessCalendar.ForSchool(school.Uai), time.GetUtcNow());
            changed.UpdateTime = Now;
            try
            {
                await WriteTicketAsync(changed, version, stored, "");
                return changed;
            }
            catch (ConcurrencyConflictException) when (attempt < 3)
            {
            }
        }
    }

    private async Task WriteTicketAsync(Ticket ticket, long version, StoredObligation stored, string requestId)
    {
        var tickets = (await repository.TicketsOfAsync(stored.Obligation.Name)).Where(t => t.Name != ticket.Name).Append(ticket);
        var obligation = stored.Obligation.Clone();
        (obligation.Achieved, obligation.TicketsCounted) = TicketLifecycle.WithinSla(tickets, time.GetUtcNow());
        var batch = repository.Store.NewBatch();
        repository.PutTicket(batch, ticket, version);
        Update(batch, obligation, stored);
        if (requestId.Length > 0)
        {
            batch.ForRequest("create-ticket", requestId, ticket.Name);
        }

        await batch.CommitAsync();
    }

    private static void RequireObligor(Caller caller, Obligation obligation)
    {
        if (!caller.IsAdmin && !caller.IsService && caller.Party != obligation.Obligor)
        {
            throw new PermissionDeniedException("Seul le débiteur de l'obligation (ou un administrateur) agit sur ses tickets et justificatifs.");
        }
    }

    /// <summary>
    /// What time alone changes: an obligation whose period begins, falls behind or ends short. Returns how
    /// many moved; a write that loses a race with another replica is left to it.
    /// </summary>
    public async Task<int> AdvanceWithTimeAsync()
    {
        var moved = 0;
        // Open-ended conventions get the next school year's obligations on 1 September.
        foreach (var (convention, _) in await repository.ConventionsInForceAsync())
        {
            moved += await PlanAsync(convention);
        }

        var now = time.GetUtcNow();
        foreach (var status in new[] { Status.Pending, Status.OnTrack, Status.AtRisk })
        {
            foreach (var stored in await repository.ListAllAsync([new IndexTerm("status", ProtoEnum.Name(status))]))
            {
                var obligation = stored.Obligation.Clone();
                if (obligation.Metric == ObligationClause.Types.Metric.TicketsWithinSlaPercent)
                {
                    // Open tickets count once past their resolution due time.
                    (obligation.Achieved, obligation.TicketsCounted) = TicketLifecycle.WithinSla(await repository.TicketsOfAsync(obligation.Name), now);
                }

                if (ObligationStatus.Evaluate(obligation, Today).Status == stored.Obligation.Status && obligation.Achieved == stored.Obligation.Achieved
                    && obligation.TicketsCounted == stored.Obligation.TicketsCounted)
                {
                    continue;
                }

                var batch = repository.Store.NewBatch();
                Update(batch, obligation, stored);
                try
                {
                    await batch.CommitAsync();
                    moved++;
                }
                catch (ConcurrencyConflictException)
                {
                }
            }
        }

        return moved;
    }

    /// <summary>
    /// Writes the obligation with its status recomputed; a change to FULFILLED, AT_RISK or BREACHED is
    /// published, once, with the write.
    /// </summary>
    private void Update(WriteBatch batch, Obligation obligation, StoredObligation stored)
    {
        (obligation.Status, obligation.StatusReason) = ObligationStatus.Evaluate(obligation, Today);
        obligation.UpdateTime = Now;
        repository.Put(batch, obligation, stored.Version);
        if (obligation.Status == stored.Obligation.Status)
        {
            return;
        }

        IMessage? change = obligation.Status switch
        {
            Status.Fulfilled => new ObligationFulfilled { Obligation = obligation },
            Status.AtRisk => new ObligationAtRisk { Obligation = obligation },
            Status.Breached => new ObligationBreached { Obligation = obligation },
            _ => null,
        };
        if (change is not null)
        {
            batch.Publish(OutgoingEvent.From(change, EventSource, obligation.Name, time));
        }
    }

    /// <summary>
    /// A convention came into force (or a new revision of some clauses did): its obligations are made, those
    /// that exist already are left as they are, so a replayed event makes nothing twice.
    /// </summary>
    public async Task<int> PlanAsync(Convention convention, ISet<string>? onlyClauses = null)
    {
        var known = await successions.OfAsync(convention.Signatories.Select(s => s.Party));
        var planned = ObligationPlanner.Plan(convention, Today, known, onlyClauses);
        var existing = (await repository.GetManyAsync(planned.Select(o => ObligationRepository.IdOf(o.Name)).ToList()))
            .Select(o => o.Obligation.Name).ToHashSet(StringComparer.Ordinal);
        var created = 0;
        foreach (var chunk in planned.Where(o => !existing.Contains(o.Name)).Chunk(200))
        {
            var batch = repository.Store.NewBatch();
            foreach (var obligation in chunk)
            {
                (obligation.Status, obligation.StatusReason) = ObligationStatus.Evaluate(obligation, Today);
                obligation.CreateTime = obligation.UpdateTime = Now;
                repository.Put(batch, obligation, expectedVersion: 0);
            }

            await batch.CommitAsync();
            created += chunk.Length;
        }

        return created;
    }

    /// <summary>Keeps a convention in force, so that the clock plans its coming school years.</summary>
    public Task KeepConventionAsync(Convention convention, bool inForce) => repository.KeepConventionAsync(convention, inForce);

    /// <summary>A convention ended: no more periods are planned for it.</summary>
    public Task ForgetConventionAsync(string name) =>
        repository.KeepConventionAsync(new Convention { Name = name, Revision = int.MaxValue }, inForce: false);

    /// <summary>An amendment changed clauses: their obligations are superseded (evidence stays), new ones made.</summary>
    public async Task SupersedeAsync(Convention convention, IReadOnlyCollection<string> changedClauses, string amendment)
    {
        foreach (var clauseId in changedClauses)
        {
            var batch = repository.Store.NewBatch();
            foreach (var stored in await repository.ListAllAsync([new IndexTerm("clause", convention.Name + "#" + clauseId)]))
            {
                if (stored.Obligation.ConventionRevision >= convention.Revision || stored.Obligation.Status == Status.Superseded)
                {
                    continue;
                }

                var superseded = stored.Obligation.Clone();
                superseded.Status = Status.Superseded;
                superseded.StatusReason = $"Remplacée par l'avenant {amendment}.";
                superseded.UpdateTime = Now;
                repository.Put(batch, superseded, stored.Version);
            }

            if (batch.Count > 0)
            {
                await batch.CommitAsync();
            }
        }

        await PlanAsync(convention, changedClauses.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The steering committee waived an obligation.</summary>
    public async Task WaiveAsync(string name, string decision)
    {
        if (ResourceName.IdOf(name, "obligations") is not { } id || await repository.GetAsync(id) is not { } stored)
        {
            return;
        }

        if (stored.Obligation.Status is Status.Waived or Status.Superseded)
        {
            return;
        }

        var waived = stored.Obligation.Clone();
        waived.Status = Status.Waived;
        waived.StatusReason = $"Levée par la décision {decision}.";
        waived.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.Put(batch, waived, stored.Version);
        await batch.CommitAsync();
    }
}
