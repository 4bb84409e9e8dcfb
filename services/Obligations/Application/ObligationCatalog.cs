using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Obligations.Domain;
using Ent.Partnership.Obligations.Storage;
using Ent.Partnership.Obligations.V1;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Obligations.V1.Obligation.Types;

namespace Ent.Partnership.Obligations.Application;

/// <summary>The obligations service's operations: reads for partners, and what the conventions' events cause.</summary>
public sealed class ObligationCatalog(
    ObligationRepository repository, ObligationParties parties, RegisterMigration migration, TimeProvider time)
{
    public const string EventSource = "/ent-partnership/obligations";

    private static readonly string[] ListFields = ["convention", "obligor", "kind", "status", "period_start"];

    private static readonly Dictionary<string, FilterOrder> OrderedFields = new()
    {
        ["due_date"] = FilterOrder.Date,
        ["period_start"] = FilterOrder.Date,
        ["update_time"] = FilterOrder.Timestamp,
    };

    private static readonly Dictionary<string, FilterOrder> OrderedTicketFields = new() { ["opened_at"] = FilterOrder.Timestamp };

    public DateOnly Today => CivilDate.Today(time);

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Obligation> GetAsync(string name)
    {
        var id = ResourceName.ParseId(name, "obligations", "name");
        return (await repository.GetAsync(id))?.Obligation ?? throw new NotFoundException(name);
    }

    public async Task<(IReadOnlyList<Obligation> Obligations, string NextPageToken)> ListAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ListFields, OrderedFields);
        var terms = filter.Equalities.Select(t => t.Field switch
        {
            "kind" => new IndexTerm("kind", ProtoEnum.Name(ProtoEnum.Parse<ObligationClause.Types.Kind>(t.Value, "filter"))),
            "status" => new IndexTerm("status", ProtoEnum.Name(ProtoEnum.Parse<Status>(t.Value, "filter"))),
            "period_start" => new IndexTerm("period_start", CivilDate.TryParse(t.Value, out var day)
                ? day.ToText()
                : throw new InvalidArgumentException("filter", $"period_start attend une date AAAA-MM-JJ, non « {t.Value} ».")),
            _ => new IndexTerm(t.Field, t.Value),
        }).ToList();
        Func<Obligation, bool>? keep = filter.HasComparisons ? o => filter.Admits(field => field switch
        {
            "due_date" => Filter.DateValue(o.DueDate),
            "period_start" => Filter.DateValue(o.Period?.StartDate ?? ""),
            _ => Filter.TimeValue(o.UpdateTime),
        }) : null;
        return await repository.ListAsync(terms, keep, Paging.PageSize(pageSize), pageToken, filterText);
    }

    /// <summary>The compliance report of a convention for a school year.</summary>
    public async Task<ComplianceReport> ReportAsync(string convention, string schoolYear)
    {
        ResourceName.ParseId(convention, "conventions", "convention");
        var yearStart = ComplianceReporting.ParseSchoolYear(schoolYear);
        var obligations = (await repository.ListAllAsync([new IndexTerm("convention", convention)]))
            .Select(o => o.Obligation).Where(o => ComplianceReporting.InSchoolYear(o, yearStart)).ToList();
        var schools = parties.SchoolsUnderAsync(ComplianceReporting.Obligors(obligations), yearStart);
        var training = new List<Evidence>();
        foreach (var obligation in obligations.Where(o => o.Kind == ObligationClause.Types.Kind.Training && ComplianceReporting.Counts(o)))
        {
            training.AddRange(await CountedEvidenceAsync(obligation));
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
        return await repository.Store.CreateOnceAsync("create-evidence", requestId, RecordedEvidenceAsync, () => Writes.RetryOnConflictAsync(async () =>
        {
            var stored = await repository.GetAsync(id) ?? throw new NotFoundException(parent);
            RequireObligor(caller, stored.Obligation);

            EvidenceRules.Check(stored.Obligation, evidence, Today);
            await parties.CheckSchoolsAsync(evidence.TrainingSession?.Schools ?? []);
            var recorded = evidence.Clone();
            recorded.Name = $"{parent}/evidence/{ResourceName.NewId("", "evidenceId", "e")}";
            recorded.RecordedBy = caller.Party ?? caller.Service ?? "admin";
            recorded.CreateTime = Now;
            recorded.InheritedFrom = "";
            var all = (await CountedEvidenceAsync(stored.Obligation)).Append(recorded).ToList();
            var obligation = stored.Obligation.Clone();
            obligation.Achieved = EvidenceRules.Achieved(obligation, all);
            var batch = repository.Store.NewBatch();
            repository.PutEvidence(batch, recorded);
            batch.Publish(Event(new EvidenceRecorded { Evidence = recorded, Achieved = obligation.Achieved }, recorded.Name));
            Update(batch, obligation, stored);
            batch.ForRequest("create-evidence", requestId, recorded.Name);

            await batch.CommitAsync();
            return recorded;
        }));

        async Task<Evidence> RecordedEvidenceAsync(string name) =>
            (await repository.AllEvidenceAsync(parent)).FirstOrDefault(e => e.Name == name) ?? throw new NotFoundException(name);
    }

    /// <summary>A piece of evidence by its name, <c>obligations/{o}/evidence/{id}</c>.</summary>
    public async Task<Evidence> GetEvidenceAsync(string name)
    {
        if (name.Split('/') is not ["obligations", var obligation, "evidence", var id]
            || ResourceName.IdOf("obligations/" + obligation, "obligations") is null || ResourceName.IdOf("evidence/" + id, "evidence") is null)
        {
            throw new InvalidArgumentException("name", $"« {name} » n'est pas un nom de la forme obligations/{{id}}/evidence/{{id}}.");
        }

        return await repository.GetEvidenceAsync(name) ?? throw new NotFoundException(name);
    }

    /// <summary>
    /// The evidence an obligation holds and, for a successor, what it counts of the obligations it superseded
    /// (marked <c>inheritedFrom</c>), in name order.
    /// </summary>
    public async Task<(IReadOnlyList<Evidence> Evidence, string NextPageToken)> ListEvidenceAsync(string parent, int pageSize, string pageToken)
    {
        var obligation = await GetAsync(parent);
        var size = Paging.PageSize(pageSize);
        if (obligation.Supersedes.Length == 0)
        {
            return await repository.ListEvidenceAsync(parent, size, pageToken);
        }

        var after = PageToken.Decode(pageToken, parent);
        var rest = (await CountedEvidenceAsync(obligation)).OrderBy(e => e.Name, StringComparer.Ordinal)
            .Where(e => after is null || string.CompareOrdinal(e.Name, after) > 0).ToList();
        var page = rest.Take(size).ToList();
        return (page, rest.Count > size ? PageToken.Encode(page[^1].Name, parent) : "");
    }

    /// <summary>
    /// What an obligation counts: its own evidence, and that of the obligations it superseded, one after the
    /// other, dated inside its period.
    /// </summary>
    private async Task<List<Evidence>> CountedEvidenceAsync(Obligation obligation)
    {
        var counted = (await repository.AllEvidenceAsync(obligation.Name)).ToList();
        var start = CivilDate.Parse(obligation.Period.StartDate, "period.startDate");
        var end = CivilDate.Parse(obligation.Period.EndDate, "period.endDate");
        var seen = new HashSet<string>(StringComparer.Ordinal) { obligation.Name };
        for (var predecessor = obligation.Supersedes; predecessor.Length > 0 && seen.Add(predecessor);)
        {
            foreach (var evidence in await repository.AllEvidenceAsync(predecessor))
            {
                if (EvidenceRules.DateOf(evidence) is var day && day >= start && day <= end)
                {
                    var inherited = evidence.Clone();
                    inherited.InheritedFrom = predecessor;
                    counted.Add(inherited);
                }
            }

            predecessor = (await repository.GetAsync(ObligationRepository.IdOf(predecessor)))?.Obligation.Supersedes ?? "";
        }

        return counted;
    }

    public async Task<Ticket> CreateTicketAsync(Caller caller, Ticket? ticket, string requestId)
    {
        if (ticket is null)
        {
            throw new InvalidArgumentException("ticket", "Le ticket est obligatoire.");
        }

        var obligationId = ResourceName.ParseId(ticket.Obligation, "obligations", "obligation");
        return await repository.Store.CreateOnceAsync("create-ticket", requestId, GetTicketAsync, () => Writes.RetryOnConflictAsync(async () =>
        {
            var stored = await repository.GetAsync(obligationId) ?? throw new InvalidArgumentException("obligation", $"L'obligation {ticket.Obligation} n'existe pas.");
            RequireObligor(caller, stored.Obligation);
            if (!Register.IsOpen(stored.Obligation))
            {
                throw new FailedPreconditionException("OBLIGATION_CLOSED", stored.Obligation.Name,
                    $"L'obligation est {ProtoEnum.Name(stored.Obligation.Status)} : elle ne reçoit plus de ticket.");
            }

            var school = await parties.SchoolAsync(ticket.School);
            var opened = ticket.Clone();
            opened.Name = "tickets/" + ResourceName.NewId("", "ticketId", "t");
            TicketLifecycle.Open(opened, stored.Obligation, BusinessCalendar.ForSchool(school.Uai), time.GetUtcNow());
            opened.UpdateTime = Now;
            await WriteTicketAsync(opened, null, 0, stored, requestId);
            return opened;
        }));
    }

    public async Task<Ticket> GetTicketAsync(string name) =>
        (await repository.GetTicketAsync(ResourceName.ParseId(name, "tickets", "name")))?.Ticket ?? throw new NotFoundException(name);

    public async Task<(IReadOnlyList<Ticket> Tickets, string NextPageToken)> ListTicketsAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ["obligation", "school", "state"], OrderedTicketFields);
        var terms = filter.Equalities.Select(t => t.Field == "state"
            ? new IndexTerm("state", ProtoEnum.Name(ProtoEnum.Parse<Ticket.Types.State>(t.Value, "filter")))
            : new IndexTerm(t.Field, t.Value)).ToList();
        Func<Ticket, bool>? keep = filter.HasComparisons ? t => filter.Admits(_ => Filter.TimeValue(t.OpenedAt)) : null;
        return await repository.ListTicketsAsync(terms, keep, Paging.PageSize(pageSize), pageToken, filterText);
    }

    /// <summary>A step of a ticket's life, then its obligation's share of tickets in time recomputed with it.</summary>
    public async Task<Ticket> ActOnTicketAsync(Caller caller, string name, Action<Ticket, Obligation, BusinessCalendar, DateTimeOffset> step)
    {
        return await Writes.RetryOnConflictAsync(async () =>
        {
            var (ticket, version) = await repository.GetTicketAsync(ResourceName.ParseId(name, "tickets", "name")) ?? throw new NotFoundException(name);
            var stored = await repository.GetAsync(ObligationRepository.IdOf(ticket.Obligation)) ?? throw new NotFoundException(ticket.Obligation);
            RequireObligor(caller, stored.Obligation);
            var school = await parties.SchoolAsync(ticket.School);
            var changed = ticket.Clone();
            step(changed, stored.Obligation, BusinessCalendar.ForSchool(school.Uai), time.GetUtcNow());
            changed.UpdateTime = Now;

            await WriteTicketAsync(changed, ticket, version, stored, "");
            return changed;
        });
    }

    /// <summary>Writes a ticket; an open obligation's share of tickets in time is recomputed with it, a closed one keeps its count.</summary>
    private async Task WriteTicketAsync(Ticket ticket, Ticket? before, long version, StoredObligation stored, string requestId)
    {
        var batch = repository.Store.NewBatch();
        repository.PutTicket(batch, ticket, version);
        batch.Publish(before is null
            ? Event(new TicketCreated { Ticket = ticket }, ticket.Name)
            : Event(new TicketUpdated { Ticket = ticket }, ticket.Name, Changes.Between(before, ticket)));
        if (Register.IsOpen(stored.Obligation))
        {
            var tickets = (await repository.TicketsOfAsync(stored.Obligation.Name)).Select(t => t.Ticket).Where(t => t.Name != ticket.Name).Append(ticket);
            var obligation = stored.Obligation.Clone();
            (obligation.Achieved, obligation.TicketsCounted) = TicketLifecycle.WithinSla(tickets, time.GetUtcNow());
            Update(batch, obligation, stored);
        }

        batch.ForRequest("create-ticket", requestId, ticket.Name);

        await batch.CommitAsync();
    }

    private static void RequireObligor(Caller caller, Obligation obligation)
    {
        if (!caller.IsAdmin && caller.Party != obligation.Obligor)
        {
            throw new PermissionDeniedException("Seul le débiteur de l'obligation (ou un administrateur) agit sur ses tickets et justificatifs.");
        }
    }

    /// <summary>
    /// What time alone changes: an open-ended convention's next school year is planned, and an obligation whose
    /// period begins, falls behind or ends short moves. Returns how many changed; a write that loses a race
    /// with another replica is left to it.
    /// </summary>
    public async Task<int> AdvanceWithTimeAsync()
    {
        await migration.Ready;
        var moved = 0;
        foreach (var convention in await repository.ConventionsInForceAsync())
        {
            try
            {
                moved += await ReconcileAsync(convention, Today, $"Révision {convention.Revision} de la convention");
            }
            catch (ConcurrencyConflictException)
            {
            }
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
                    (obligation.Achieved, obligation.TicketsCounted) = TicketLifecycle.WithinSla((await repository.TicketsOfAsync(obligation.Name)).Select(t => t.Ticket), now);
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
    /// Writes the obligation with its status recomputed; a change of status is published, once, with the
    /// write, and a change to FULFILLED, AT_RISK or BREACHED has its own event too.
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

        batch.Publish(StatusChanged(obligation, stored.Obligation.Status));
        IMessage? change = obligation.Status switch
        {
            Status.Fulfilled => new ObligationFulfilled { Obligation = obligation },
            Status.AtRisk => new ObligationAtRisk { Obligation = obligation },
            Status.Breached => new ObligationBreached { Obligation = obligation },
            _ => null,
        };
        if (change is not null)
        {
            batch.Publish(Event(change, obligation.Name));
        }
    }

    /// <summary>
    /// Makes the register hold what the convention calls for, from <paramref name="from"/> on: obligations of
    /// identities not held yet are made, those whose terms changed for their slot superseded, those the
    /// convention no longer calls for settled on <paramref name="from"/>. Periods ended before that day are
    /// left as they are, and doing it again changes nothing. <paramref name="why"/> says in French what changed
    /// the convention, for the reasons of the obligations it ends. Returns how many obligations were written.
    /// </summary>
    public async Task<int> ReconcileAsync(Convention convention, DateOnly from, string why)
    {
        await migration.Ready;
        return await Writes.RetryOnConflictAsync(async () =>
        {
            // Another replica (or the clock) changed the register meanwhile: read it again.
            var held = (await repository.ListAllAsync([new IndexTerm("convention", convention.Name)]))
                .Where(s => s.Obligation.Status != Status.Superseded)
                .Select(s => WithSlot(s, convention))
                .ToDictionary(s => s.Obligation.Name, StringComparer.Ordinal);
            var current = held.Values.Select(s => s.Obligation).ToList();
            // Successions only name obligors, which the comparison leaves out: asked for only when something changes.
            var terminatedOn = CivilDate.ParseOptional(convention.Termination?.EffectiveDate, "termination.effectiveDate");
            var changes = Register.Reconcile(ObligationPlanner.Plan(convention, Today, NoSuccessions), current, from, terminatedOn);
            if (changes.IsEmpty)
            {
                return 0;
            }

            var known = await parties.SuccessionsOfAsync(convention.Signatories.Select(s => s.Party), Today);
            changes = Register.Reconcile(ObligationPlanner.Plan(convention, Today, known), current, from, terminatedOn);

            await CreateAsync(changes.Created);
            foreach (var (old, successor) in changes.Superseded)
            {
                await SupersedeAsync(held[old.Name], successor, why);
            }

            foreach (var removed in changes.Removed)
            {
                await SettleAsync(held[removed.Name], from, $"{why} : retirée le {from.ToText()}");
            }

            return changes.Created.Count + (2 * changes.Superseded.Count) + changes.Removed.Count;
        });
    }

    private static readonly IReadOnlyDictionary<string, Succession> NoSuccessions = new Dictionary<string, Succession>();

    /// <summary>An obligation stored before slots were recorded gets the one its name was made from.</summary>
    private static StoredObligation WithSlot(StoredObligation stored, Convention convention)
    {
        if (stored.Obligation.Signatory.Length > 0)
        {
            return stored;
        }

        var obligation = stored.Obligation.Clone();
        obligation.Signatory = ObligationPlanner.SlotOf(obligation, convention.Signatories.Select(s => s.Party));
        return stored with { Obligation = obligation };
    }

    private async Task CreateAsync(IReadOnlyList<Obligation> created)
    {
        foreach (var chunk in created.Chunk(100))
        {
            var batch = repository.Store.NewBatch();
            foreach (var obligation in chunk)
            {
                (obligation.Status, obligation.StatusReason) = ObligationStatus.Evaluate(obligation, Today);
                obligation.CreateTime = obligation.UpdateTime = Now;
                repository.Put(batch, obligation, expectedVersion: 0);
                batch.Publish(StatusChanged(obligation, Status.Unspecified));
                // An identity nobody holds: a replica that claimed it meanwhile makes this batch fail, and it is read again.
                repository.Claim(batch, obligation, expectedVersion: 0);
            }

            await batch.CommitAsync();
        }
    }

    /// <summary>
    /// Replaces an obligation whose terms changed: the successor takes the identity's claim, counts the evidence
    /// of its predecessors dated inside its period, and takes over the open tickets.
    /// </summary>
    private async Task SupersedeAsync(StoredObligation stored, Obligation successor, string why)
    {
        var claims = await repository.ClaimsAsync([ObligationIdentity.Of(successor)]);
        var batch = repository.Store.NewBatch();
        var old = stored.Obligation.Clone();
        old.Status = Status.Superseded;
        old.StatusReason = $"{why} : remplacée par {successor.Name}.";
        old.SupersededBy = successor.Name;
        old.UpdateTime = Now;
        repository.Put(batch, old, stored.Version);
        batch.Publish(StatusChanged(old, stored.Obligation.Status));

        successor.CreateTime = Now;
        successor.Achieved = EvidenceRules.Achieved(successor, await CountedEvidenceAsync(successor, old));
        if (successor.Metric == ObligationClause.Types.Metric.TicketsWithinSlaPercent)
        {
            var moved = new List<Ticket>();
            foreach (var (ticket, version) in (await repository.TicketsOfAsync(old.Name)).Where(t => t.Ticket.State is not (Ticket.Types.State.Solved or Ticket.Types.State.Closed)))
            {
                var movedTicket = ticket.Clone();
                movedTicket.Obligation = successor.Name;
                movedTicket.UpdateTime = Now;
                repository.PutTicket(batch, movedTicket, version);
                batch.Publish(Event(new TicketUpdated { Ticket = movedTicket }, movedTicket.Name, Changes.Between(ticket, movedTicket)));
                moved.Add(movedTicket);
            }

            (successor.Achieved, successor.TicketsCounted) = TicketLifecycle.WithinSla(moved, time.GetUtcNow());
        }

        Update(batch, successor, new StoredObligation(new Obligation(), 0));
        repository.Claim(batch, successor, claims.GetValueOrDefault(ObligationIdentity.Of(successor).Id));
        await batch.CommitAsync();
    }

    /// <summary>What an obligation about to supersede <paramref name="predecessor"/> counts (it is not written yet).</summary>
    private async Task<List<Evidence>> CountedEvidenceAsync(Obligation successor, Obligation predecessor)
    {
        var counted = await CountedEvidenceAsync(predecessor);
        var start = CivilDate.Parse(successor.Period.StartDate, "period.startDate");
        var end = CivilDate.Parse(successor.Period.EndDate, "period.endDate");
        return counted.Where(e => EvidenceRules.DateOf(e) is var day && day >= start && day <= end).ToList();
    }

    /// <summary>Settles an obligation on <paramref name="day"/> (see <see cref="Settlement"/>).</summary>
    private async Task SettleAsync(StoredObligation stored, DateOnly day, string why)
    {
        var tickets = (await repository.TicketsOfAsync(stored.Obligation.Name)).Select(t => t.Ticket);
        var settled = Settlement.Settle(stored.Obligation, day, why, await CountedEvidenceAsync(stored.Obligation), tickets);
        var batch = repository.Store.NewBatch();
        Update(batch, settled, stored);
        await batch.CommitAsync();
    }

    /// <summary>
    /// The convention ended on <paramref name="day"/> (terminated, or expired the day before): its obligations
    /// not ended before that day are settled, and no period is planned for it any more.
    /// </summary>
    public async Task EndConventionAsync(string convention, DateOnly day, string why)
    {
        await migration.Ready;
        await repository.KeepConventionAsync(new Convention { Name = convention, Revision = int.MaxValue }, inForce: false);
        await Writes.RetryOnConflictAsync(async () =>
        {
            foreach (var stored in await repository.ListAllAsync([new IndexTerm("convention", convention)]))
            {
                if (Register.IsOpen(stored.Obligation) && Settlement.Concerns(stored.Obligation, day))
                {
                    await SettleAsync(stored, day, why);
                }
            }
        });
    }

    /// <summary>Keeps a convention in force, so that the clock plans its coming school years.</summary>
    public Task KeepConventionAsync(Convention convention, bool inForce) => repository.KeepConventionAsync(convention, inForce);

    /// <summary>A convention in force changed without a new revision (a termination scheduled or cancelled): the clock plans from it.</summary>
    public Task UpdateConventionAsync(Convention convention) => repository.KeepConventionAsync(convention, inForce: true, onlyIfKept: true);

    /// <summary>The steering committee waived an obligation.</summary>
    public async Task WaiveAsync(string name, string decision)
    {
        if (ResourceName.IdOf(name, "obligations") is not { } id || await repository.GetAsync(id) is not { } stored)
        {
            return;
        }

        if (!Register.IsOpen(stored.Obligation) || stored.Obligation.Status == Status.Fulfilled)
        {
            return;
        }

        var waived = stored.Obligation.Clone();
        waived.Status = Status.Waived;
        waived.StatusReason = $"Levée par la décision {decision}.";
        waived.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.Put(batch, waived, stored.Version);
        batch.Publish(Event(new ObligationWaived { Obligation = waived, Decision = decision }, waived.Name));
        batch.Publish(StatusChanged(waived, stored.Obligation.Status));
        await batch.CommitAsync();
    }

    /// <summary>
    /// A page of an obligation's (with its evidence) or a ticket's history. Every caller reads obligations and
    /// tickets, so its events' readers are everyone (<see cref="Event"/>).
    /// </summary>
    public Task<Common.V1.History> HistoryAsync(Caller caller, IHistoryRequest request, string collection)
    {
        var name = $"{collection}/{ResourceName.ParseId(request.Name, collection, "name")}";
        return EventHistory.PageAsync(repository.Store, caller, name, request.PageSize, request.PageToken, ObligationHistory.Summarize,
            () => collection == "tickets" ? GetTicketAsync(name) : GetAsync(name));
    }

    private OutgoingEvent StatusChanged(Obligation obligation, Status previous) =>
        Event(new ObligationStatusChanged { Obligation = obligation, PreviousStatus = previous }, obligation.Name);

    private OutgoingEvent Event(IMessage data, string subject, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, EventSource, subject, time, Readers.Everyone, changes);
}
