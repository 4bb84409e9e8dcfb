using Ent.Partnership.Common.V1;
using Ent.Partnership.Conventions.Domain;
using Ent.Partnership.Conventions.Storage;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Application;

/// <summary>
/// The conventions service's operations: who may act, the domain's rules, and each change written with its
/// events in one step. A write that loses a race on the convention is tried again on fresh data.
/// </summary>
public sealed class ConventionCatalog(ConventionRepository repository, PartyLookup parties, ObligationLookup obligations, TimeProvider time)
{
    public const string EventSource = "/ent-partnership/conventions";

    private static readonly string[] ListFields = ["state", "party"];

    private static readonly Updatable<Convention> ConventionUpdatable = new Updatable<Convention>("de la convention")
        .Field("title", (target, source) => target.Title = source.Title, patch => patch.Title.Length > 0)
        .Field("purpose", (target, source) => target.Purpose = source.Purpose, patch => patch.Purpose.Length > 0)
        .Field("signatories", (target, source) => Replace(target.Signatories, source.Signatories), patch => patch.Signatories.Count > 0)
        .Field("articles", (target, source) => Replace(target.Articles, source.Articles), patch => patch.Articles.Count > 0)
        .Field("annexes", (target, source) => Replace(target.Annexes, source.Annexes), patch => patch.Annexes.Count > 0)
        .Field("effective_date", (target, source) => target.EffectiveDate = source.EffectiveDate, patch => patch.EffectiveDate.Length > 0)
        .Field("end_date", (target, source) => target.EndDate = source.EndDate, patch => patch.EndDate.Length > 0);

    public const int MaxReasonLength = 2000;

    public DateOnly Today => CivilDate.Today(time);

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Convention> GetAsync(string name) => Present(await LoadAsync(name, "name"));

    public async Task<Convention> CreateAsync(Caller caller, Convention? convention, string conventionId, string requestId)
    {
        caller.RequireAdmin("créer une convention");
        if (convention is null)
        {
            throw new InvalidArgumentException("convention", "La convention est obligatoire.");
        }

        return await repository.Store.CreateOnceAsync("create-convention", requestId, GetAsync, async () =>
        {
            var created = convention.Clone();
            created.Name = "conventions/" + ResourceName.NewId(conventionId, "conventionId", "c");
            await ValidateContentAsync(created);
            created.State = State.Draft;
            created.Revision = 1;
            created.ContentDigest = "";
            created.CharterStatus = null;
            created.StateHistory.Clear();
            created.StateHistory.Add(new StateChange { State = State.Draft, Time = Now });
            created.CreateTime = created.UpdateTime = Now;
            var batch = repository.Store.NewBatch();
            repository.Put(batch, created, expectedVersion: 0);
            batch.Publish(Event(new ConventionCreated { Convention = created }, created.Name));
            batch.ForRequest("create-convention", requestId, created.Name);

            try
            {
                var result = await batch.CommitAsync();
                return Present(new Stored<Convention>(created, result.Versions[0]));
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"La convention {created.Name} existe déjà.");
            }
        });
    }

    public async Task<(IReadOnlyList<Convention> Conventions, string NextPageToken)> ListAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ListFields);
        var terms = filter.Terms.Select(t => t.Field == "state"
            ? new IndexTerm("state", ProtoEnum.Name(ProtoEnum.Parse<State>(t.Value, "filter")))
            : new IndexTerm("party", t.Value)).ToList();
        var (conventions, next) = await repository.ListAsync(terms, Paging.PageSize(pageSize), pageToken, filterText);
        return (conventions.Select(Present).ToList(), next);
    }

    public async Task<Convention> UpdateAsync(Caller caller, Convention? patch, FieldMask? mask)
    {
        caller.RequireAdmin("modifier une convention");
        if (patch is null)
        {
            throw new InvalidArgumentException("convention", "La convention est obligatoire.");
        }

        var stored = await LoadAsync(patch.Name, "name");
        if (patch.Etag.Length > 0 && patch.Etag != stored.Resource.Etag)
        {
            throw new ConcurrencyConflictException(stored.Resource.Name);
        }

        if (stored.Resource.State != State.Draft)
        {
            throw new FailedPreconditionException("WRONG_STATE", stored.Resource.Name,
                $"La convention est {ProtoEnum.Name(stored.Resource.State)} : son texte ne change plus que par avenant.");
        }

        var updated = stored.Resource.Clone();
        ConventionUpdatable.Apply(updated, patch, mask);

        await ValidateContentAsync(updated);
        Amendments.ClearStaleCharterValidation(updated);
        updated.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.Put(batch, updated, stored.Version);
        batch.Publish(Event(new ConventionUpdated { Convention = updated }, updated.Name, Changes.Between(stored.Resource, updated)));
        var result = await batch.CommitAsync();
        return Present(new Stored<Convention>(updated, result.Versions[0]));
    }

    public async Task<Convention> SubmitAsync(Caller caller, string name)
    {
        caller.RequireAdmin("soumettre une convention");
        return (Convention)await TransitionAsync(ConventionName(name, "name"), (file, batch) =>
        {
            Lifecycle.Submit(file, Today, Now);
            batch.Publish(Event(new ConventionSubmitted { Convention = file.Convention }, file.Convention.Name));
        });
    }

    public async Task<Convention> ReopenAsync(Caller caller, string name, string reason)
    {
        caller.RequireAdmin("rouvrir une convention");
        Require(reason, "reason", "Le motif de la réouverture est obligatoire.");
        return (Convention)await TransitionAsync(ConventionName(name, "name"), (file, batch) =>
        {
            Lifecycle.Reopen(file, reason, Now);
            batch.Publish(Event(new ConventionReopened { Convention = file.Convention, Reason = reason }, file.Convention.Name));
        }, supersede: true);
    }

    /// <summary>Ends a convention today, or schedules its end (see <see cref="Lifecycle.Terminate(Convention, string, DateOnly, DateOnly, Timestamp)"/>).</summary>
    public async Task<Convention> TerminateAsync(Caller caller, string name, string reason, string effectiveDate)
    {
        caller.RequireAdmin("résilier une convention");
        RequireReason(reason, "Le motif de la résiliation est obligatoire.");
        var date = CivilDate.Parse(effectiveDate, "effectiveDate");
        return (Convention)await TransitionAsync(ConventionName(name, "name"), (file, batch) =>
        {
            if (Lifecycle.Terminate(file.Convention, reason, date, Today, Now))
            {
                PublishEntered(batch, file.Convention, [State.Terminated]);
            }
            else
            {
                batch.Publish(Event(new ConventionTerminationScheduled { Convention = file.Convention }, file.Convention.Name));
            }
        });
    }

    public async Task<Convention> CancelTerminationAsync(Caller caller, string name, string reason)
    {
        caller.RequireAdmin("annuler une résiliation");
        RequireReason(reason, "Le motif de l'annulation est obligatoire.");
        return (Convention)await TransitionAsync(ConventionName(name, "name"), (file, batch) =>
        {
            Lifecycle.CancelTermination(file.Convention);
            batch.Publish(Event(new ConventionTerminationCancelled { Convention = file.Convention, Reason = reason }, file.Convention.Name));
        });
    }

    /// <summary>The readiness of a convention, or of an amendment (whose SIGNED means applied).</summary>
    public async Task<Readiness> ReadinessAsync(string name)
    {
        var subject = await LoadSubjectAsync(SubjectName(name, "name"));
        if (subject.Amendment?.Resource is { State: Amendment.Types.State.Signed } signed)
        {
            // A signed amendment waits for its own effective date, not the far date its view is written with.
            subject.File.Convention.EffectiveDate = signed.EffectiveDate;
        }

        return Lifecycle.ReadinessOf(subject.File, Today);
    }

    public async Task<Deliberation> CreateDeliberationAsync(Caller caller, string parent, Deliberation? deliberation, string deliberationId, string requestId)
    {
        if (deliberation is null)
        {
            throw new InvalidArgumentException("deliberation", "La délibération est obligatoire.");
        }

        var recorded = deliberation.Clone();
        recorded.Party = RecordRules.ActingParty(caller, recorded.Party, "délibérer");
        RecordRules.CheckDeliberation(recorded, Today);
        parent = SubjectName(parent, "parent");
        return await repository.Store.CreateOnceAsync("create-deliberation", requestId, GetDeliberationAsync, async () =>
        {
            recorded.Name = $"{parent}/deliberations/{ResourceName.NewId(deliberationId, "deliberationId", "d")}";
            recorded.Superseded = false;
            recorded.CreateTime = Now;
            await RecordAsync(parent, ConventionRepository.Deliberations, recorded, recorded.Name, "create-deliberation", requestId,
                file => Lifecycle.CheckDeliberation(file, recorded, Today),
                file => file with { Deliberations = [.. file.Deliberations, recorded] },
                state => new DeliberationRecorded { Convention = ConventionOf(parent), Deliberation = recorded, State = state });
            return recorded;
        });
    }

    public async Task<Deliberation> GetDeliberationAsync(string name)
    {
        return (await repository.GetChildAsync(ConventionRepository.Deliberations, ChildName(name, "deliberations"), Deliberation.Parser))?.Resource
            ?? throw new NotFoundException(name);
    }

    public async Task<Deliberation> UpdateDeliberationAsync(Caller caller, Deliberation? patch, FieldMask? mask)
    {
        if (patch is null)
        {
            throw new InvalidArgumentException("deliberation", "La délibération est obligatoire.");
        }

        var stored = await repository.GetChildAsync(ConventionRepository.Deliberations, ChildName(patch.Name, "deliberations"), Deliberation.Parser)
            ?? throw new NotFoundException(patch.Name);
        RecordRules.ActingParty(caller, stored.Resource.Party, "compléter cette délibération");
        var updated = stored.Resource.Clone();
        foreach (var path in mask is { Paths.Count: > 0 } ? mask.Paths.Select(FieldPaths.ToSnakeCase) : ["prefecture_acknowledged_on", "actes_id", "document_uri"])
        {
            switch (path)
            {
                case "prefecture_acknowledged_on":
                    var acknowledged = CivilDate.ParseOptional(patch.PrefectureAcknowledgedOn, "prefectureAcknowledgedOn");
                    if (acknowledged > Today || acknowledged < CivilDate.Parse(updated.Date, "date"))
                    {
                        throw new InvalidArgumentException("prefectureAcknowledgedOn", "L'accusé de réception suit la délibération et n'est pas dans le futur.");
                    }

                    updated.PrefectureAcknowledgedOn = patch.PrefectureAcknowledgedOn;
                    break;
                case "actes_id":
                    updated.ActesId = patch.ActesId;
                    break;
                case "document_uri":
                    updated.DocumentUri = patch.DocumentUri;
                    break;
                default:
                    throw new InvalidArgumentException("updateMask", $"Le champ « {path} » d'une délibération ne change pas une fois enregistrée.");
            }
        }

        var batch = repository.Store.NewBatch();
        repository.PutChild(batch, ConventionRepository.Deliberations, updated.Name, updated, stored.Version);
        batch.Publish(Event(new DeliberationUpdated { Convention = ConventionOf(updated.Name), Deliberation = updated }, updated.Name,
            Changes.Between(stored.Resource, updated)));
        await batch.CommitAsync();
        return updated;
    }

    public async Task<Signature> CreateSignatureAsync(Caller caller, string parent, Signature? signature, string requestId)
    {
        if (signature is null)
        {
            throw new InvalidArgumentException("signature", "La signature est obligatoire.");
        }

        var recorded = signature.Clone();
        recorded.Party = RecordRules.ActingParty(caller, recorded.Party, "signer");
        RecordRules.CheckSignature(recorded, Today);
        parent = SubjectName(parent, "parent");
        return await repository.Store.CreateOnceAsync("create-signature", requestId, GetSignatureAsync, async () =>
        {
            recorded.Name = $"{parent}/signatures/{ResourceName.ParseId(recorded.Party, "parties", "party")}";
            recorded.Superseded = false;
            recorded.CreateTime = Now;
            await RecordAsync(parent, ConventionRepository.Signatures, recorded, recorded.Name, "create-signature", requestId,
                file => Lifecycle.CheckSignature(file, recorded, Today),
                file => file with { Signatures = [.. file.Signatures, recorded] },
                state => new SignatureRecorded { Convention = ConventionOf(parent), Signature = recorded, State = state });
            return recorded;
        });
    }

    public async Task<Signature> GetSignatureAsync(string name)
    {
        return (await repository.GetChildAsync(ConventionRepository.Signatures, ChildName(name, "signatures"), Signature.Parser))?.Resource
            ?? throw new NotFoundException(name);
    }

    public async Task<Meeting> CreateMeetingAsync(Caller caller, string parent, Meeting? meeting, string meetingId, string requestId)
    {
        caller.RequireAdmin("convoquer une instance");
        if (meeting is null)
        {
            throw new InvalidArgumentException("meeting", "La réunion est obligatoire.");
        }

        var convention = await LoadAsync(parent, "parent");
        return await repository.Store.CreateOnceAsync("create-meeting", requestId, GetMeetingAsync, async () =>
        {
            var created = meeting.Clone();
            created.Name = $"{convention.Resource.Name}/meetings/{ResourceName.NewId(meetingId, "meetingId", "m")}";
            Governance.CheckNewMeeting(convention.Resource, created);
            created.State = Meeting.Types.State.Scheduled;
            created.Attendance.Clear();
            created.Decisions.Clear();
            created.CreateTime = Now;
            var batch = repository.Store.NewBatch();
            repository.PutChild(batch, ConventionRepository.Meetings, created.Name, created, expectedVersion: 0);
            batch.Publish(Event(new MeetingCreated { Meeting = created }, created.Name));
            batch.ForRequest("create-meeting", requestId, created.Name);

            try
            {
                created.Etag = Document.EtagOf((await batch.CommitAsync()).Versions[0]);
                return created;
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"La réunion {created.Name} existe déjà.");
            }
        });
    }

    public async Task<Meeting> GetMeetingAsync(string name)
    {
        var stored = await LoadMeetingAsync(name);
        stored.Resource.Etag = Document.EtagOf(stored.Version);
        return stored.Resource;
    }

    private static readonly Updatable<Meeting> MeetingUpdatable = new Updatable<Meeting>("de la réunion")
        .Field("scheduled_at", (target, source) => target.ScheduledAt = source.ScheduledAt, patch => patch.ScheduledAt is not null)
        .Field("place", (target, source) => target.Place = source.Place, patch => patch.Place.Length > 0)
        .Field("agenda", (target, source) => Replace(target.Agenda, source.Agenda), patch => patch.Agenda.Count > 0);

    /// <summary>Moves a SCHEDULED meeting: the fields of the mask, or those given.</summary>
    public async Task<Meeting> UpdateMeetingAsync(Caller caller, Meeting? patch, FieldMask? mask)
    {
        caller.RequireAdmin("déplacer une réunion");
        if (patch is null)
        {
            throw new InvalidArgumentException("meeting", "La réunion est obligatoire.");
        }

        var stored = await LoadMeetingAsync(patch.Name, "meeting.name");
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(stored.Resource.Name);
        }

        var updated = stored.Resource.Clone();
        MeetingUpdatable.Apply(updated, patch, mask);

        Governance.Reschedule((await LoadAsync(ConventionOf(updated.Name), "meeting.name")).Resource, stored.Resource, updated);
        return await WriteMeetingAsync(updated, stored.Version, new MeetingUpdated { Meeting = updated }, Changes.Between(stored.Resource, updated));
    }

    public async Task<Meeting> CancelMeetingAsync(Caller caller, string name, string reason)
    {
        caller.RequireAdmin("annuler une réunion");
        RequireReason(reason, "Le motif de l'annulation est obligatoire.");
        var stored = await LoadMeetingAsync(name);
        var cancelled = stored.Resource.Clone();
        Governance.Cancel(cancelled, reason);
        return await WriteMeetingAsync(cancelled, stored.Version, new MeetingCancelled { Meeting = cancelled });
    }

    private async Task<Meeting> WriteMeetingAsync(Meeting meeting, long version, IMessage change, IReadOnlyList<FieldChange>? changes = null)
    {
        meeting.UpdateTime = Now;
        meeting.Etag = "";
        var batch = repository.Store.NewBatch();
        repository.PutChild(batch, ConventionRepository.Meetings, meeting.Name, meeting, version);
        batch.Publish(Event(change, meeting.Name, changes));
        var written = await batch.CommitAsync();
        meeting.Etag = Document.EtagOf(written.Versions[0]);
        return meeting;
    }

    public async Task<Meeting> HoldMeetingAsync(Caller caller, string name, IReadOnlyList<Attendance> attendance)
    {
        caller.RequireAdmin("tenir une réunion");
        var stored = await LoadMeetingAsync(name);
        var file = (await LoadSubjectAsync(ConventionOf(name))).File;
        var meeting = stored.Resource.Clone();
        Governance.Hold(file, meeting, attendance, time.GetUtcNow());
        meeting.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.PutChild(batch, ConventionRepository.Meetings, meeting.Name, meeting, stored.Version);
        batch.Publish(Event(new MeetingHeld { Meeting = meeting }, meeting.Name));
        meeting.Etag = Document.EtagOf((await batch.CommitAsync()).Versions[0]);
        return meeting;
    }

    public async Task<Meeting> RecordDecisionAsync(Caller caller, string name, Decision? decision)
    {
        caller.RequireAdmin("enregistrer une décision");
        if (decision is null)
        {
            throw new InvalidArgumentException("decision", "La décision est obligatoire.");
        }

        return await Writes.RetryOnConflictAsync(async () =>
        {
            var stored = await LoadMeetingAsync(name);
            var convention = await LoadAsync(ConventionOf(name), "name");
            var meeting = stored.Resource.Clone();
            var updated = convention.Resource.Clone();
            var validated = Governance.RecordDecision(updated, meeting, decision);
            await obligations.CheckWaiverAsync(updated.Name, decision);
            var day = Governance.DayOf(meeting).ToText();
            var batch = repository.Store.NewBatch();
            repository.PutChild(batch, ConventionRepository.Meetings, meeting.Name, meeting, stored.Version);
            batch.Publish(Event(new DecisionRecorded { Convention = updated.Name, Meeting = meeting.Name, Decision = decision, DecidedOn = day }, meeting.Name));
            if (validated)
            {
                updated.UpdateTime = Now;
                repository.Put(batch, updated, convention.Version);
                batch.Publish(Event(new CharterValidated
                {
                    Convention = updated.Name,
                    Revision = updated.Revision,
                    AnnexId = updated.CharterStatus.AnnexId,
                    AnnexDigest = updated.CharterStatus.AnnexDigest,
                    Charter = updated.Annexes.First(a => a.AnnexId == updated.CharterStatus.AnnexId).Charter,
                    ValidatedOn = day,
                    Decision = updated.CharterStatus.Decision,
                }, updated.Name));
            }

            meeting.Etag = Document.EtagOf((await batch.CommitAsync()).Versions[0]);
            return meeting;
        });
    }

    private async Task<Stored<Meeting>> LoadMeetingAsync(string name, string field = "name") =>
        await repository.GetChildAsync(ConventionRepository.Meetings, ChildName(name, "meetings", field), Meeting.Parser) ?? throw new NotFoundException(name);

    private static string ConventionOf(string name) => string.Join('/', name.Split('/').Take(2));

    public async Task<Amendment> CreateAmendmentAsync(Caller caller, string parent, Amendment? amendment, string amendmentId, string requestId)
    {
        caller.RequireAdmin("proposer un avenant");
        if (amendment is null)
        {
            throw new InvalidArgumentException("amendment", "L'avenant est obligatoire.");
        }

        var convention = await LoadAsync(ConventionName(parent, "parent"), "parent");
        return await repository.Store.CreateOnceAsync("create-amendment", requestId, GetAmendmentAsync, async () =>
        {
            var created = amendment.Clone();
            created.Name = $"{convention.Resource.Name}/amendments/{ResourceName.NewId(amendmentId, "amendmentId", "a")}";
            Amendments.CheckNew(convention.Resource, created, Today);
            var added = new Convention();
            added.Signatories.AddRange(created.Changes.AddSignatories);
            await parties.CheckSignatoriesAsync(added);
            created.State = Amendment.Types.State.Draft;
            created.BaseRevision = convention.Resource.Revision;
            created.ContentDigest = "";
            created.AppliedRevision = 0;
            created.CreateTime = created.UpdateTime = Now;
            var batch = repository.Store.NewBatch();
            repository.PutAmendment(batch, created, expectedVersion: 0);
            batch.Publish(Event(new AmendmentCreated { Amendment = created }, created.Name));
            batch.ForRequest("create-amendment", requestId, created.Name);

            try
            {
                var result = await batch.CommitAsync();
                created.Etag = Document.EtagOf(result.Versions[0]);
                return created;
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"L'avenant {created.Name} existe déjà.");
            }
        });
    }

    public async Task<Amendment> GetAmendmentAsync(string name)
    {
        var stored = await repository.GetChildAsync(ConventionRepository.Amendments, SubjectName(name, "name"), Amendment.Parser)
            ?? throw new NotFoundException(name);
        stored.Resource.Etag = Document.EtagOf(stored.Version);
        return stored.Resource;
    }

    public async Task<Amendment> SubmitAmendmentAsync(Caller caller, string name)
    {
        caller.RequireAdmin("soumettre un avenant");
        var amendment = await GetAmendmentAsync(name);
        Amendments.CheckNew((await LoadAsync(ConventionOf(amendment.Name), "name")).Resource, amendment, Today);
        return (Amendment)await TransitionAsync(amendment.Name, (file, batch) => Lifecycle.Submit(file, Today, Now));
    }

    public async Task<Amendment> ReopenAmendmentAsync(Caller caller, string name, string reason)
    {
        caller.RequireAdmin("rouvrir un avenant");
        Require(reason, "reason", "Le motif de la réouverture est obligatoire.");
        var amendment = await GetAmendmentAsync(name);
        return (Amendment)await TransitionAsync(amendment.Name, (file, batch) => Lifecycle.Reopen(file, reason, Now), supersede: true);
    }

    private static readonly Updatable<Amendment> AmendmentUpdatable = new Updatable<Amendment>("de l'avenant")
        .Field("title", (target, source) => target.Title = source.Title, patch => patch.Title.Length > 0)
        .Field("purpose", (target, source) => target.Purpose = source.Purpose, patch => patch.Purpose.Length > 0)
        .Field("changes", (target, source) => target.Changes = source.Changes, patch => patch.Changes is not null)
        .Field("effective_date", (target, source) => target.EffectiveDate = source.EffectiveDate, patch => patch.EffectiveDate.Length > 0);

    /// <summary>Corrects an amendment in DRAFT: the fields of the mask, or those given.</summary>
    public async Task<Amendment> UpdateAmendmentAsync(Caller caller, Amendment? patch, FieldMask? mask)
    {
        caller.RequireAdmin("modifier un avenant");
        if (patch is null)
        {
            throw new InvalidArgumentException("amendment", "L'avenant est obligatoire.");
        }

        var name = SubjectName(patch.Name, "amendment.name");
        var stored = await repository.GetChildAsync(ConventionRepository.Amendments, name, Amendment.Parser) ?? throw new NotFoundException(name);
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(name);
        }

        if (stored.Resource.State != Amendment.Types.State.Draft)
        {
            throw new FailedPreconditionException("WRONG_STATE", name,
                $"L'avenant est {ProtoEnum.Name(stored.Resource.State)} : il ne se corrige qu'en brouillon (DRAFT), rouvert s'il le faut.");
        }

        var updated = stored.Resource.Clone();
        AmendmentUpdatable.Apply(updated, patch, mask);

        Amendments.CheckNew((await LoadAsync(ConventionOf(name), "amendment.name")).Resource, updated, Today);
        await parties.CheckSignatoriesAsync(new Convention { Signatories = { updated.Changes.AddSignatories } });
        updated.UpdateTime = Now;
        var batch = repository.Store.NewBatch();
        repository.PutAmendment(batch, updated, stored.Version);
        batch.Publish(Event(new AmendmentUpdated { Amendment = updated }, updated.Name, Changes.Between(stored.Resource, updated)));
        var written = await batch.CommitAsync();
        updated.Etag = Document.EtagOf(written.Versions[0]);
        return updated;
    }

    public async Task<Amendment> AbandonAmendmentAsync(Caller caller, string name, string reason)
    {
        caller.RequireAdmin("abandonner un avenant");
        Require(reason, "reason", "Le motif de l'abandon est obligatoire.");
        var amendment = await GetAmendmentAsync(name);
        if (amendment.State is Amendment.Types.State.Applied or Amendment.Types.State.Abandoned)
        {
            throw new FailedPreconditionException("WRONG_STATE", amendment.Name, $"L'avenant est {ProtoEnum.Name(amendment.State)} : il ne peut plus être abandonné.");
        }

        return (Amendment)await TransitionAsync(amendment.Name, (file, batch) => Lifecycle.Terminate(file.Convention, reason, Now));
    }

    /// <summary>A page of a convention's history: its events and those of everything under its name.</summary>
    public Task<History> ConventionHistoryAsync(Caller caller, IHistoryRequest request)
    {
        var name = ConventionName(request.Name, "name");
        return EventHistory.PageAsync(repository.Store, caller, name, request.PageSize, request.PageToken, ConventionHistory.Summarize, () => GetAsync(name));
    }

    /// <summary>A page of an amendment's history: its events, its deliberations' and its signatures'.</summary>
    public Task<History> AmendmentHistoryAsync(Caller caller, IHistoryRequest request)
    {
        if (SubjectName(request.Name, "name").Split('/').Length != 4)
        {
            throw new InvalidArgumentException("name", $"« {request.Name} » n'est pas un nom de la forme conventions/{{id}}/amendments/{{id}}.");
        }

        return EventHistory.PageAsync(repository.Store, caller, request.Name, request.PageSize, request.PageToken, ConventionHistory.Summarize,
            () => GetAmendmentAsync(request.Name));
    }

    /// <summary>A page of a meeting's history: convened, moved, held or cancelled, and its decisions.</summary>
    public Task<History> MeetingHistoryAsync(Caller caller, IHistoryRequest request)
    {
        var name = ChildName(request.Name, "meetings");
        return EventHistory.PageAsync(repository.Store, caller, name, request.PageSize, request.PageToken, ConventionHistory.Summarize,
            () => LoadMeetingAsync(name));
    }

    public async Task<(IReadOnlyList<T> Children, string NextPageToken)> ListChildrenAsync<T>(
        string collection, string parent, MessageParser<T> parser, int pageSize, string pageToken)
        where T : IMessage<T>
    {
        parent = SubjectName(parent, "parent");
        if (collection == ConventionRepository.Amendments || collection == ConventionRepository.Meetings)
        {
            parent = ConventionName(parent, "parent");
        }

        await LoadSubjectAsync(parent);
        return await repository.ListChildrenAsync(collection, parent, parser, Paging.PageSize(pageSize), pageToken);
    }

    /// <summary>
    /// What time alone changes: signed amendments whose effective date has come apply, SIGNED conventions whose
    /// effective date has come go IN_FORCE, IN_FORCE ones whose end date has passed EXPIRED, those whose
    /// scheduled termination has come TERMINATED. Each move is one versioned write, so with several replicas
    /// running the job at once a convention still moves once. Returns the conventions and amendments moved.
    /// </summary>
    public async Task<IReadOnlyList<string>> AdvanceWithTimeAsync()
    {
        var moved = new List<string>(await ApplyDueAmendmentsAsync());
        foreach (var state in new[] { State.Signed, State.InForce })
        {
            foreach (var stored in await repository.ListAllAsync([new IndexTerm("state", ProtoEnum.Name(state))]))
            {
                var file = new ConventionFile(stored.Resource.Clone(), [], [], new Dictionary<string, Parties.V1.Succession>());
                var entered = Lifecycle.Advance(file, Today, Now);
                if (entered.Count == 0)
                {
                    continue;
                }

                var batch = repository.Store.NewBatch();
                file.Convention.UpdateTime = Now;
                repository.Put(batch, file.Convention, stored.Version);
                PublishEntered(batch, file.Convention, entered);
                try
                {
                    await batch.CommitAsync();
                    moved.Add(file.Convention.Name);
                }
                catch (ConcurrencyConflictException)
                {
                    // Another replica, or a partner's write, got there first; the next tick sees the result.
                }
            }
        }

        return moved;
    }

    public Convention Present(Stored<Convention> stored)
    {
        var convention = stored.Resource.Clone();
        convention.Etag = Document.EtagOf(stored.Version);
        return convention;
    }

    /// <summary>
    /// Records a deliberation or signature of a convention or amendment: the rules check it against the file,
    /// the subject moves on as far as it now may, and the child, its event, the events of the states entered
    /// and the request id are written in one step.
    /// </summary>
    private Task RecordAsync<T>(
        string parent, string collection, T child, string name, string requestScope, string requestId,
        Action<ConventionFile> check, Func<ConventionFile, ConventionFile> withChild, Func<State, IMessage> recordedEvent)
        where T : IMessage<T> =>
        TransitionAsync(parent, (file, batch) =>
        {
            check(file);
            var entered = Lifecycle.Advance(withChild(file), Today, Now);
            repository.PutChild(batch, collection, name, child, expectedVersion: 0);
            batch.Publish(Event(recordedEvent(file.Convention.State), name));
            PublishEntered(batch, file.Convention, entered);
            batch.ForRequest(requestScope, requestId, name);
        });

    private void PublishEntered(WriteBatch batch, Convention convention, IEnumerable<State> entered)
    {
        foreach (var state in entered)
        {
            if (state == State.InForce)
            {
                batch.Publish(Event(new ConventionInForce { Convention = convention }, convention.Name));
            }
            else if (state == State.Expired)
            {
                batch.Publish(Event(new ConventionExpired { Convention = convention.Name, EndDate = convention.EndDate }, convention.Name));
            }
            else if (state == State.Terminated && convention.Termination is { } termination)
            {
                batch.Publish(Event(new ConventionTerminated { Convention = convention.Name, Reason = termination.Reason, EffectiveDate = termination.EffectiveDate }, convention.Name));
            }
        }
    }

    /// <summary>
    /// Loads a convention's or an amendment's file, lets <paramref name="change"/> change it and fill the batch,
    /// and writes it back with the version read; tried again on fresh data when another write won. Returns
    /// the convention or amendment as written.
    /// </summary>
    private async Task<IMessage> TransitionAsync(string name, Action<ConventionFile, WriteBatch> change, bool supersede = false)
    {
        return await Writes.RetryOnConflictAsync(async () =>
        {
            var subject = await LoadSubjectAsync(name);
            var batch = repository.Store.NewBatch();
            change(subject.File, batch);
            if (supersede)
            {
                SupersedeChildren(batch, subject);
            }

            return await SaveAsync(subject, batch);
        });
    }

    /// <summary>
    /// Writes the subject's new state: the convention itself, or the amendment, which, once signed by every
    /// party, is applied to the convention in the same step.
    /// </summary>
    private async Task<IMessage> SaveAsync(Subject subject, WriteBatch batch)
    {
        var view = subject.File.Convention;
        view.UpdateTime = Now;
        if (subject.Amendment is not { } stored)
        {
            repository.Put(batch, view, subject.Convention.Version);
            var result = await batch.CommitAsync();
            return Present(new Stored<Convention>(view, result.Versions[0]));
        }

        var amendment = stored.Resource.Clone();
        var wasSigned = amendment.State is Amendment.Types.State.Signed or Amendment.Types.State.Applied;
        Amendments.TakeState(amendment, view);
        amendment.UpdateTime = Now;
        if (amendment.State == Amendment.Types.State.Signed && !wasSigned)
        {
            var effective = Amendments.EffectiveOn(amendment, Today);
            amendment.EffectiveDate = effective.ToText();
            if (effective <= Today)
            {
                Apply(batch, subject.Convention, amendment);
            }
        }

        repository.PutAmendment(batch, amendment, stored.Version);
        PublishMoved(batch, stored.Resource, amendment, view.StateHistory.LastOrDefault()?.Reason ?? "");
        var written = await batch.CommitAsync();
        amendment.Etag = Document.EtagOf(written.Versions[^1]);
        return amendment;
    }

    /// <summary>The event of an amendment's move: submitted, applied, abandoned, or another state (reopened, signed) as an update.</summary>
    private void PublishMoved(WriteBatch batch, Amendment before, Amendment after, string reason)
    {
        if (before.State == after.State)
        {
            return;
        }

        batch.Publish(Event(after.State switch
        {
            Amendment.Types.State.Applied => new AmendmentApplied { Amendment = after },
            Amendment.Types.State.Abandoned => new AmendmentAbandoned { Amendment = after, Reason = reason },
            // Out of DRAFT only by submission, which may carry it past ADOPTION when no one deliberates.
            _ when before.State == Amendment.Types.State.Draft => new AmendmentSubmitted { Amendment = after },
            _ => new AmendmentUpdated { Amendment = after },
        }, after.Name, Changes.Between(before, after)));
    }

    /// <summary>Applies a signed amendment whose day has come to its convention, in the batch: APPLIED, revision + 1.</summary>
    private void Apply(WriteBatch batch, Stored<Convention> stored, Amendment amendment)
    {
        var convention = stored.Resource.Clone();
        if (convention.Revision != amendment.BaseRevision)
        {
            throw new FailedPreconditionException("STALE_BASE_REVISION", amendment.Name,
                $"L'avenant a été écrit pour la révision {amendment.BaseRevision} ; la convention en est à la révision {convention.Revision}.");
        }

        var amended = Amendments.Apply(convention, amendment, Now);
        amended.EffectiveDate = amendment.EffectiveDate;
        amendment.State = Amendment.Types.State.Applied;
        amendment.AppliedRevision = convention.Revision;
        repository.Put(batch, convention, stored.Version);
        batch.Publish(Event(amended, convention.Name));
    }

    /// <summary>
    /// Applies the SIGNED amendments whose effective date has come; one whose convention moved to another
    /// revision meanwhile (another amendment applied first) can no longer apply and is ABANDONED. Each is one
    /// versioned write of the amendment and its convention, so with several replicas it happens once.
    /// </summary>
    private async Task<IReadOnlyList<string>> ApplyDueAmendmentsAsync()
    {
        var applied = new List<string>();
        foreach (var stored in await repository.AmendmentsInAsync(Amendment.Types.State.Signed))
        {
            var amendment = stored.Resource.Clone();
            // An index may list a document that has just moved on (another replica applied it): read its state.
            if (amendment.State != Amendment.Types.State.Signed || CivilDate.Parse(amendment.EffectiveDate, "effectiveDate") > Today
                || await repository.GetAsync(ConventionRepository.IdOf(ConventionOf(amendment.Name))) is not { } convention)
            {
                continue;
            }

            var batch = repository.Store.NewBatch();
            amendment.UpdateTime = Now;
            if (convention.Resource.State != State.InForce || convention.Resource.Revision != amendment.BaseRevision)
            {
                amendment.State = Amendment.Types.State.Abandoned;
            }
            else
            {
                Apply(batch, convention, amendment);
            }

            repository.PutAmendment(batch, amendment, stored.Version);
            PublishMoved(batch, stored.Resource, amendment, "");
            try
            {
                await batch.CommitAsync();
                applied.Add(amendment.Name);
            }
            catch (ConcurrencyConflictException)
            {
                // Another replica applied it, or the convention changed; the next tick sees which.
            }
        }

        return applied;
    }

    /// <summary>Superseded signatures leave their <c>{party-id}</c> name to the next signature of the party.</summary>
    private void SupersedeChildren(WriteBatch batch, Subject subject)
    {
        foreach (var deliberation in subject.Deliberations.Where(d => !d.Resource.Superseded))
        {
            var superseded = deliberation.Resource.Clone();
            superseded.Superseded = true;
            repository.PutChild(batch, ConventionRepository.Deliberations, superseded.Name, superseded, deliberation.Version);
        }

        foreach (var signature in subject.Signatures.Where(s => !s.Resource.Superseded))
        {
            var superseded = signature.Resource.Clone();
            superseded.Superseded = true;
            superseded.Name = $"{signature.Resource.Name}-superseded-{subject.Signatures.Count(s => s.Resource.Superseded) + 1}";
            repository.DeleteChild(batch, ConventionRepository.Signatures, signature.Resource.Name, signature.Version);
            repository.PutChild(batch, ConventionRepository.Signatures, superseded.Name, superseded, expectedVersion: 0);
        }
    }

    /// <summary>
    /// What carries a life cycle: a convention, or an amendment seen as a convention by the rules
    /// (<see cref="Amendments.AsConvention"/>), with its deliberations and signatures as stored.
    /// </summary>
    private sealed record Subject(
        ConventionFile File,
        Stored<Convention> Convention,
        Stored<Amendment>? Amendment,
        IReadOnlyList<Stored<Deliberation>> Deliberations,
        IReadOnlyList<Stored<Signature>> Signatures);

    private async Task<Subject> LoadSubjectAsync(string name)
    {
        var convention = await LoadAsync(ConventionOf(name), "name");
        Stored<Amendment>? amendment = null;
        var view = convention.Resource.Clone();
        if (name != convention.Resource.Name)
        {
            amendment = await repository.GetChildAsync(ConventionRepository.Amendments, name, Amendment.Parser) ?? throw new NotFoundException(name);
            view = Amendments.AsConvention(amendment.Resource, convention.Resource);
        }

        var deliberations = await repository.AllChildrenAsync(ConventionRepository.Deliberations, name, Deliberation.Parser);
        var signatures = await repository.AllChildrenAsync(ConventionRepository.Signatures, name, Signature.Parser);
        var file = new ConventionFile(
            view,
            deliberations.Select(d => d.Resource.Clone()).ToList(),
            signatures.Select(s => s.Resource.Clone()).ToList(),
            await parties.SuccessionsAsync(view.Signatories.Select(s => s.Party)));
        return new Subject(file, convention, amendment, deliberations, signatures);
    }

    private async Task<Stored<Convention>> LoadAsync(string name, string field)
    {
        var id = ResourceName.ParseId(name, "conventions", field);
        return await repository.GetAsync(id) ?? throw new NotFoundException(name);
    }

    private async Task ValidateContentAsync(Convention convention)
    {
        var violations = ConventionRules.Check(convention);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        await parties.CheckSignatoriesAsync(convention);
    }

    /// <summary><paramref name="name"/> when it names a convention; INVALID_ARGUMENT on <paramref name="field"/> otherwise.</summary>
    private static string ConventionName(string name, string field) =>
        "conventions/" + ResourceName.ParseId(name, "conventions", field);

    /// <summary><paramref name="name"/> when it names a convention or one of its amendments.</summary>
    private static string SubjectName(string name, string field) =>
        name.Split('/') is ["conventions", var c, "amendments", var a] && ResourceName.IdPattern().IsMatch(c) && ResourceName.IdPattern().IsMatch(a)
            ? name
            : ConventionName(name, field);

    /// <summary><paramref name="name"/> when it names a child of the collection under a convention or an amendment.</summary>
    private static string ChildName(string name, string collection, string field = "name")
    {
        var parts = name.Split('/');
        return parts.Length >= 4 && parts[^2] == collection && ResourceName.IdPattern().IsMatch(parts[^1].Split("-superseded-")[0])
            && SubjectName(string.Join('/', parts[..^2]), field) is not null
            ? name
            : throw new InvalidArgumentException(field, $"« {name} » n'est pas un nom de la forme conventions/{{id}}/{collection}/{{id}}.");
    }

    /// <summary>A reason is required, and at most 2,000 characters.</summary>
    private static void RequireReason(string reason, string description)
    {
        Require(reason, "reason", description);
        if (reason.Length > MaxReasonLength)
        {
            throw new InvalidArgumentException("reason", $"Le motif tient en {MaxReasonLength} caractères au plus.");
        }
    }

    private static void Require(string value, string field, string description)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidArgumentException(field, description);
        }
    }

    /// <summary>An event of the service; every caller reads conventions and what lies under them (SPEC section 8).</summary>
    private OutgoingEvent Event(IMessage data, string subject, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, EventSource, subject, time, Readers.Everyone, changes);

    private static void Replace<T>(Google.Protobuf.Collections.RepeatedField<T> target, IEnumerable<T> source)
    {
        target.Clear();
        target.AddRange(source);
    }
}
