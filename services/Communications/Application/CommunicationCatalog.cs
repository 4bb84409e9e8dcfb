using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.Publication;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Communications.V1.Communication.Types;

namespace Ent.Partnership.Communications.Application;

/// <summary>The messages' life: drafting, the check, review, and the start of their publication.</summary>
public sealed class CommunicationCatalog(CommunicationRepository repository, CharterCheck check, Publications publications, TimeProvider time)
{
    private static readonly string[] ListFields = ["issuer", "state", "convention", "reviewer"];

    private static readonly Dictionary<string, FilterOrder> OrderedFields = new()
    {
        ["publish_time"] = FilterOrder.Timestamp,
        ["expire_time"] = FilterOrder.Timestamp,
        ["update_time"] = FilterOrder.Timestamp,
    };

    private static readonly Dictionary<string, Action<Communication, Communication>> Updatable = new()
    {
        ["convention"] = (target, source) => target.Convention = source.Convention,
        ["title"] = (target, source) => target.Title = source.Title,
        ["body"] = (target, source) => target.Body = source.Body,
        ["category"] = (target, source) => target.Category = source.Category,
        ["audiences"] = (target, source) => Replace(target.Audiences, source.Audiences),
        ["targets"] = (target, source) => target.Targets = source.Targets,
        ["publish_time"] = (target, source) => target.PublishTime = source.PublishTime,
        ["expire_time"] = (target, source) => target.ExpireTime = source.ExpireTime,
        ["urgent"] = (target, source) => target.Urgent = source.Urgent,
        ["attachments"] = (target, source) => Replace(target.Attachments, source.Attachments),
    };

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Communication> CreateAsync(Caller caller, Communication? communication, string communicationId, string requestId)
    {
        MessageAccess.RequireDrafter(caller);
        if (communication is null)
        {
            throw new InvalidArgumentException("communication", "Le message est obligatoire.");
        }

        var created = communication.Clone();
        created.Issuer = MessageAccess.IssuerFor(caller, created.Issuer);
        created.Name = "communications/" + ResourceName.NewId(communicationId, "communicationId", "m");
        MessageRules.Validate(created);
        return await repository.Store.CreateOnceAsync("create-communication", requestId, name => GetAsync(caller, name), async () =>
        {
            ClearOutputs(created);
            if (created.Convention.Length == 0)
            {
                created.Convention = await check.DefaultConventionAsync(created);
            }

            created.State = State.Draft;
            created.Revision = 1;
            created.CreateTime = created.UpdateTime = Now;
            var batch = repository.Store.NewBatch();
            repository.Put(batch, created, expectedVersion: 0);
            batch.Publish(Event(new CommunicationCreated { Communication = created }, created));
            batch.ForRequest("create-communication", requestId, created.Name);

            try
            {
                var result = await batch.CommitAsync();
                return Present(new Stored<Communication>(created, result.Versions[0]));
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"Le message {created.Name} existe déjà.");
            }
        });
    }

    public async Task<Communication> GetAsync(Caller caller, string name) => Present(await LoadVisibleAsync(caller, name, "name"));

    /// <summary>
    /// A page of a message's history: each entry read by those who could read the message right after it, so
    /// that a draft's first steps stay its issuer's; a deleted draft's history stays readable.
    /// </summary>
    public Task<Common.V1.History> HistoryAsync(Caller caller, IHistoryRequest request)
    {
        var name = "communications/" + ResourceName.ParseId(request.Name, "communications", "name");
        return EventHistory.PageAsync(repository.Store, caller, name, request.PageSize, request.PageToken, CommunicationHistory.Summarize,
            () => LoadVisibleAsync(caller, name, "name"));
    }

    /// <summary>A page of the messages the caller may see: pages are filled past those it may not.</summary>
    public async Task<(IReadOnlyList<Communication> Communications, string NextPageToken)> ListAsync(Caller caller, string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ListFields, OrderedFields);
        var terms = filter.Equalities.Select(t => t.Field == "state"
            ? new IndexTerm("state", ProtoEnum.Name(ProtoEnum.Parse<State>(t.Value, "filter")))
            : new IndexTerm(t.Field, t.Value)).ToList();
        var size = Paging.PageSize(pageSize);
        var visible = new List<Communication>();
        string? token = pageToken.Length == 0 ? null : pageToken;
        do
        {
            var (page, next) = await repository.ListAsync(terms, size - visible.Count, token, filterText);
            visible.AddRange(page.Where(s => Sees(caller, s.Resource) && filter.Admits(field => Filter.TimeValue(field switch
            {
                "publish_time" => s.Resource.PublishTime,
                "expire_time" => s.Resource.ExpireTime,
                _ => s.Resource.UpdateTime,
            }))).Select(Present));
            token = next.Length == 0 ? null : next;
        }
        while (token is not null && visible.Count < size);
        return (visible, token ?? "");
    }

    public async Task<Communication> UpdateAsync(Caller caller, Communication? patch, FieldMask? mask)
    {
        MessageAccess.RequireDrafter(caller);
        if (patch is null)
        {
            throw new InvalidArgumentException("communication", "Le message est obligatoire.");
        }

        var stored = await LoadVisibleAsync(caller, patch.Name, "communication.name");
        MessageAccess.RequireIssuer(caller, stored.Resource, "modifier ce message");
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(stored.Resource.Name);
        }

        ReviewWorkflow.RequireState(stored.Resource, "modifié", State.Draft, State.ChangesRequested);
        var updated = stored.Resource.Clone();
        var paths = mask is { Paths.Count: > 0 } ? mask.Paths.Select(FieldPaths.ToSnakeCase) : Updatable.Keys.Where(k => IsGiven(patch, k));
        foreach (var path in paths)
        {
            if (!Updatable.TryGetValue(path, out var apply))
            {
                throw new InvalidArgumentException("updateMask", $"Le champ « {path} » ne peut pas être modifié.");
            }

            apply(updated, patch);
        }

        MessageRules.Validate(updated);
        updated.Verdict = null;
        updated.Revision++;
        updated.UpdateTime = Now;
        return await WriteAsync(updated, stored.Version, Event(new CommunicationUpdated { Communication = updated }, updated, Changes.Between(stored.Resource, updated)));
    }

    public async Task DeleteAsync(Caller caller, string name, string etag)
    {
        MessageAccess.RequireDrafter(caller);
        var stored = await LoadVisibleAsync(caller, name, "name");
        MessageAccess.RequireIssuer(caller, stored.Resource, "supprimer ce message");
        if (etag.Length > 0 && etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(name);
        }

        ReviewWorkflow.RequireState(stored.Resource, "supprimé", State.Draft);
        var batch = repository.Store.NewBatch();
        batch.Delete(CommunicationRepository.Communications, CommunicationRepository.IdOf(name), stored.Version);
        batch.Publish(Event(new CommunicationDeleted { Communication = stored.Resource }, stored.Resource));
        await batch.CommitAsync();
    }

    /// <summary>The verdict on a saved message, or on an unsaved one; changes nothing.</summary>
    public async Task<Verdict> CheckAsync(Caller caller, Communication? unsaved, string name)
    {
        if ((unsaved is null) == (name.Length == 0))
        {
            throw new InvalidArgumentException("communication", "Donnez soit un message (communication), soit le nom d'un message enregistré (name).");
        }

        Communication message;
        if (unsaved is not null)
        {
            MessageAccess.RequireDrafter(caller);
            message = unsaved.Clone();
            message.Issuer = MessageAccess.IssuerFor(caller, message.Issuer);
            message.Name = "";
            MessageRules.Validate(message);
        }
        else
        {
            message = (await LoadVisibleAsync(caller, name, "name")).Resource;
        }

        return (await check.RunAsync(message)).Verdict;
    }

    /// <summary>DRAFT or CHANGES_REQUESTED → PENDING_VALIDATION, unless the check blocks; urgent and clean: published at once.</summary>
    public async Task<Communication> SubmitAsync(Caller caller, string name)
    {
        MessageAccess.RequireDrafter(caller);
        var stored = await LoadVisibleAsync(caller, name, "name");
        MessageAccess.RequireIssuer(caller, stored.Resource, "soumettre ce message");
        ReviewWorkflow.RequireState(stored.Resource, "soumis", State.Draft, State.ChangesRequested);
        var result = await check.RunAsync(stored.Resource);
        if (result.Blocked)
        {
            throw Refusal("Le message enfreint la charte d'usage.", result.Verdict);
        }

        var submitted = stored.Resource.Clone();
        result.ApplyTo(submitted);
        submitted.State = State.PendingValidation;
        submitted.StateReason = "";
        submitted.SubmitTime = submitted.UpdateTime = Now;
        if (submitted.Urgent && Domain.ContextRules.NothingToReviewFirst(result.Verdict.Findings.Select(f => f.RuleId)))
        {
            return await publications.StartAsync(submitted, stored.Version, result, stored.Resource.State);
        }

        return await WriteAsync(submitted, stored.Version, StateChanged(submitted, stored.Resource.State));
    }

    /// <summary>A reviewer's approval, acknowledging every WARN rule; the last one makes the message APPROVED.</summary>
    public async Task<Communication> ApproveAsync(Caller caller, string name, IReadOnlyList<string> acknowledged)
    {
        var stored = await LoadVisibleAsync(caller, name, "name");
        var message = stored.Resource;
        var approved = ReviewWorkflow.Approve(message, MessageAccess.ReviewersActing(caller, message), acknowledged, Now);
        if (approved.State != State.Approved)
        {
            return await WriteAsync(approved, stored.Version, [.. Reviewed(approved, message)]);
        }

        var written = await WriteAsync(approved, stored.Version, [.. Reviewed(approved, message), StateChanged(approved, State.PendingValidation)]);
        publications.Nudge();
        return written;
    }

    public async Task<Communication> RequestChangesAsync(Caller caller, string name, string comment)
    {
        ReviewWorkflow.RequireComment(comment);
        var stored = await LoadVisibleAsync(caller, name, "name");
        var changed = ReviewWorkflow.RequestChanges(stored.Resource, MessageAccess.ReviewersActing(caller, stored.Resource), comment, Now);
        return await WriteAsync(changed, stored.Version, [.. Reviewed(changed, stored.Resource), StateChanged(changed, State.PendingValidation)]);
    }

    /// <summary>A reviewer's refusal; an urgent message already published is retracted.</summary>
    public async Task<Communication> RejectAsync(Caller caller, string name, string comment)
    {
        ReviewWorkflow.RequireComment(comment);
        var stored = await LoadVisibleAsync(caller, name, "name");
        var rejected = ReviewWorkflow.Reject(stored.Resource, MessageAccess.ReviewersActing(caller, stored.Resource), comment, Now);
        return await publications.EndAsync(rejected, stored.Version, State.Rejected, comment, newReviews: rejected.Reviews.Count - stored.Resource.Reviews.Count);
    }

    /// <summary>The issuer takes its message back; what was published is retracted.</summary>
    public async Task<Communication> WithdrawAsync(Caller caller, string name, string reason)
    {
        var stored = await LoadVisibleAsync(caller, name, "name");
        MessageAccess.RequireIssuer(caller, stored.Resource, "retirer ce message");
        ReviewWorkflow.RequireState(stored.Resource, "retiré", State.PendingValidation, State.Approved, State.Published);
        return await publications.EndAsync(stored.Resource.Clone(), stored.Version, State.Withdrawn, reason);
    }

    public async Task<Communication> RetryDeliveriesAsync(Caller caller, string name)
    {
        var stored = await LoadVisibleAsync(caller, name, "name");
        MessageAccess.RequireIssuer(caller, stored.Resource, "relancer les livraisons de ce message");
        ReviewWorkflow.RequireState(stored.Resource, "relancé", State.Published);
        await publications.RetryFailedAsync(stored.Resource);
        return await GetAsync(caller, name);
    }

    public async Task<Delivery> GetDeliveryAsync(Caller caller, string name)
    {
        var parts = name.Split('/');
        if (parts is not ["communications", _, "deliveries", _])
        {
            throw new InvalidArgumentException("name", $"« {name} » n'est pas un nom de la forme communications/{{id}}/deliveries/{{école}}.");
        }

        await LoadVisibleAsync(caller, $"communications/{parts[1]}", "name");
        return (await repository.GetDeliveryAsync(name))?.Resource ?? throw new NotFoundException(name);
    }

    public async Task<(IReadOnlyList<Delivery> Deliveries, string NextPageToken)> ListDeliveriesAsync(Caller caller, string parent, string filterText, int pageSize, string pageToken)
    {
        await LoadVisibleAsync(caller, parent, "parent");
        var filter = Filter.Parse(filterText, ["state"]);
        var terms = new List<IndexTerm> { new("parent", parent) };
        terms.AddRange(filter.Terms.Select(t => new IndexTerm("state", ProtoEnum.Name(ProtoEnum.Parse<Delivery.Types.State>(t.Value, "filter")))));
        return await repository.ListDeliveriesAsync(terms, Paging.PageSize(pageSize), pageToken, parent + "|" + filterText);
    }

    private OutgoingEvent StateChanged(Communication message, State previous) => CommunicationEvents.StateChanged(message, previous, time);

    private OutgoingEvent Event(IMessage data, Communication message, IReadOnlyList<FieldChange>? changes = null) =>
        CommunicationEvents.Of(data, message.Name, message, time, changes);

    private IEnumerable<OutgoingEvent> Reviewed(Communication after, Communication before) => CommunicationEvents.Reviewed(after, before, time);

    /// <summary>The findings of a blocking verdict as the violations of a FAILED_PRECONDITION.</summary>
    private static FailedPreconditionException Refusal(string message, Verdict verdict) =>
        new(message, verdict.Findings.Where(f => f.Severity == V1.Finding.Types.Severity.Block)
            .Select(f => new UnmetCondition(f.RuleId, f.Field, $"{f.Message} ({f.Excerpt})")).ToList());

    private static bool Sees(Caller caller, Communication message) => MessageAccess.ReadersOf(message).Admit(caller);

    private async Task<Stored<Communication>> LoadVisibleAsync(Caller caller, string name, string field)
    {
        var id = ResourceName.ParseId(name, "communications", field);
        var stored = await repository.GetAsync(id);
        return stored is not null && Sees(caller, stored.Resource) ? stored : throw new NotFoundException(name);
    }

    private Task<Communication> WriteAsync(Communication message, long version, OutgoingEvent outgoing) => WriteAsync(message, version, [outgoing]);

    private async Task<Communication> WriteAsync(Communication message, long version, IReadOnlyList<OutgoingEvent> events)
    {
        var batch = repository.Store.NewBatch();
        repository.Put(batch, message, version);
        foreach (var outgoing in events)
        {
            batch.Publish(outgoing);
        }

        var result = await batch.CommitAsync();
        return Present(new Stored<Communication>(message, result.Versions[0]));
    }

    private static void ClearOutputs(Communication message)
    {
        message.Verdict = null;
        message.ResolvedSchools.Clear();
        message.Reviewers.Clear();
        message.EstimatedReach = null;
        message.Reviews.Clear();
        message.DeliverySummary = null;
        message.StateReason = "";
        message.ApproveTime = null;
        message.PublicationStartTime = null;
        message.SubmitTime = null;
        message.Etag = "";
    }

    private static Communication Present(Stored<Communication> stored)
    {
        var message = stored.Resource.Clone();
        message.Etag = Document.EtagOf(stored.Version);
        return message;
    }

    private static bool IsGiven(Communication patch, string path) => path switch
    {
        "convention" => patch.Convention.Length > 0,
        "title" => patch.Title.Length > 0,
        "body" => patch.Body.Length > 0,
        "category" => patch.Category != 0,
        "audiences" => patch.Audiences.Count > 0,
        "targets" => patch.Targets is not null,
        "publish_time" => patch.PublishTime is not null,
        "expire_time" => patch.ExpireTime is not null,
        "urgent" => patch.Urgent,
        "attachments" => patch.Attachments.Count > 0,
        _ => false,
    };

    private static void Replace<T>(Google.Protobuf.Collections.RepeatedField<T> target, IEnumerable<T> source)
    {
        var items = source.ToList();
        target.Clear();
        target.AddRange(items);
    }
}
