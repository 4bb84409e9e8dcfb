using Ent.Partnership.Notifications.Dispatch;
using Ent.Partnership.Notifications.Domain;
using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.Notifications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;
using DeliveryState = Ent.Partnership.Notifications.V1.Delivery.Types.State;
using WebhookDelivery = Ent.Partnership.Notifications.V1.Delivery;

namespace Ent.Partnership.Notifications.Application;

/// <summary>
/// Webhooks and their deliveries as their owners see them (SPEC section 12): registered with a secret shown
/// once, at most <see cref="MaxPerOwner"/> per owner; another owner's are NOT_FOUND (admins see all).
/// </summary>
public sealed class WebhookCatalog(NotificationRepository repository, WebhookAddresses addresses, Dispatcher dispatcher, TimeProvider time)
{
    public const int MaxPerOwner = 20;

    private const string CreateScope = "create-webhook";

    private static readonly string[] Updatable = ["url", "event_types", "description"];

    private Timestamp Now => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Webhook> CreateAsync(Requester requester, Webhook? webhook, string webhookId, string requestId, CancellationToken cancellationToken)
    {
        if (webhook is null)
        {
            throw new InvalidArgumentException("webhook", "Le webhook est obligatoire.");
        }

        var created = webhook.Clone();
        created.Name = NotificationRepository.NamePrefix + ResourceName.NewId(webhookId, "webhookId", "w");
        var violations = new List<FieldViolation>();
        if (webhook.Secret.Length > 0)
        {
            violations.Add(new("secret", "Le secret est fait par le service et montré une seule fois : ne le donnez pas."));
        }

        violations.AddRange(await CheckAsync(created, cancellationToken));
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        return await repository.Store.CreateOnceAsync(CreateScope, requestId, name => ShownOnceAsync(requester, name), async () =>
        {
            var owned = await repository.AllWebhooksAsync([NotificationRepository.Owner(requester.Owner)]);
            if (owned.Count >= MaxPerOwner)
            {
                throw new FailedPreconditionException("TOO_MANY_WEBHOOKS", requester.Owner,
                    $"{requester.Owner} a déjà {MaxPerOwner} webhooks, le plus qu'un propriétaire peut avoir.");
            }

            created.Owner = requester.Owner;
            created.State = Webhook.Types.State.Active;
            created.Secret = WebhookSignature.NewSecret();
            created.CreateTime = created.UpdateTime = Now;
            created.Etag = "";
            var stored = new StoredWebhook { Webhook = created, OwnerParty = requester.Caller.Party ?? "", OwnerRoles = { requester.Caller.Roles } };
            var batch = repository.Store.NewBatch();
            repository.PutWebhook(batch, stored, expectedVersion: 0);
            batch.Publish(Event(new WebhookCreated { Webhook = WithoutSecret(created) }, stored));
            batch.ForRequest(CreateScope, requestId, created.Name);
            try
            {
                var result = await batch.CommitAsync();
                return Present(new Stored<StoredWebhook>(stored, result.Versions[0]), withSecret: true);
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"Le webhook {created.Name} existe déjà.");
            }
        });
    }

    public async Task<Webhook> GetAsync(Requester requester, string name) => Present(await LoadAsync(requester, name, "name"));

    public async Task<(IReadOnlyList<Webhook> Webhooks, string NextPageToken)> ListAsync(Requester requester, int pageSize, string pageToken)
    {
        IReadOnlyList<IndexTerm> terms = requester.Caller.IsAdmin ? [] : [NotificationRepository.Owner(requester.Owner)];
        var (webhooks, next) = await repository.ListWebhooksAsync(terms, Paging.PageSize(pageSize), pageToken, requester.Caller.IsAdmin ? "all" : requester.Owner);
        return (webhooks.Select(w => Present(w)).ToList(), next);
    }

    public async Task<Webhook> UpdateAsync(Requester requester, Webhook? patch, FieldMask? mask, CancellationToken cancellationToken)
    {
        if (patch is null)
        {
            throw new InvalidArgumentException("webhook", "Le webhook est obligatoire.");
        }

        var stored = await LoadAsync(requester, patch.Name, "webhook.name");
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(patch.Name);
        }

        if (patch.Secret.Length > 0)
        {
            throw new InvalidArgumentException("secret", "Le secret ne se modifie pas : créez un autre webhook.");
        }

        var updated = stored.Resource.Clone();
        var webhook = updated.Webhook;
        var paths = mask is { Paths.Count: > 0 } ? mask.Paths.Select(FieldPaths.ToSnakeCase).ToList() : Updatable.Where(p => IsGiven(patch, p)).ToList();
        foreach (var path in paths)
        {
            switch (path)
            {
                case "url": webhook.Url = patch.Url; break;
                case "event_types": webhook.EventTypes.Clear(); webhook.EventTypes.Add(patch.EventTypes); break;
                case "description": webhook.Description = patch.Description; break;
                case "secret" or "name":
                    throw new InvalidArgumentException(path, $"Le champ « {path} » ne se modifie pas.");
                default:
                    throw new InvalidArgumentException("updateMask", $"Le champ « {path} » ne peut pas être modifié.");
            }
        }

        if (await CheckAsync(webhook, cancellationToken) is { Count: > 0 } violations)
        {
            throw new InvalidArgumentException(violations);
        }

        webhook.UpdateTime = Now;
        updated.OwnerRoles.Clear();
        updated.OwnerRoles.Add(requester.Caller.IsAdmin && requester.Owner != webhook.Owner ? stored.Resource.OwnerRoles : requester.Caller.Roles);
        var batch = repository.Store.NewBatch();
        repository.PutWebhook(batch, updated, stored.Version);
        batch.Publish(Event(new WebhookUpdated { Webhook = WithoutSecret(webhook) }, updated,
            Changes.Between(WithoutSecret(stored.Resource.Webhook), WithoutSecret(webhook))));
        var result = await batch.CommitAsync();
        return Present(new Stored<StoredWebhook>(updated, result.Versions[0]));
    }

    public async Task DeleteAsync(Requester requester, string name, string etag)
    {
        var stored = await LoadAsync(requester, name, "name");
        if (etag.Length > 0 && etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(name);
        }

        var batch = repository.Store.NewBatch();
        batch.Delete(NotificationRepository.Webhooks, NotificationRepository.IdOf(name), stored.Version);
        batch.Publish(Event(new WebhookDeleted { Webhook = WithoutSecret(stored.Resource.Webhook) }, stored.Resource));
        await batch.CommitAsync();
    }

    public async Task<(IReadOnlyList<WebhookDelivery> Deliveries, string NextPageToken)> ListDeliveriesAsync(
        Requester requester, string parent, int pageSize, string pageToken, string filterText)
    {
        var webhookId = NotificationRepository.IdOf((await LoadAsync(requester, parent, "parent")).Resource.Webhook.Name);
        var terms = new List<IndexTerm> { NotificationRepository.ForWebhook(webhookId) };
        DeliveryState? state = null;
        foreach (var term in Filter.Parse(filterText, ["state", "type"]).Terms)
        {
            if (term.Field == "state")
            {
                state = ProtoEnum.Parse<DeliveryState>(term.Value, "filter");
            }
            else
            {
                terms.Add(EventTypes.Known.Contains(term.Value)
                    ? NotificationRepository.OfType(term.Value)
                    : throw new InvalidArgumentException("filter", $"« {term.Value} » n'est pas un type d'événement connu."));
            }
        }

        StoredDelivery? Of(StoredEvent stored) => stored.Deliveries.FirstOrDefault(d => d.WebhookId == webhookId);
        var (events, next) = await repository.ListEventsAsync(terms, state is { } wanted ? e => Of(e)?.Delivery.State == wanted : null,
            Paging.PageSize(pageSize), pageToken, webhookId + "|" + filterText);
        return (events.Select(Of).OfType<StoredDelivery>().Select(d => d.Delivery).ToList(), next);
    }

    /// <summary>Posts a DELIVERED or FAILED delivery again, with the same <c>webhook-id</c>.</summary>
    public async Task<WebhookDelivery> RedeliverAsync(Requester requester, string name)
    {
        var parts = name.Split('/');
        if (parts is not ["webhooks", _, "deliveries", { Length: > 0 } eventId])
        {
            throw new InvalidArgumentException("name", $"« {name} » n'est pas un nom de la forme webhooks/{{id}}/deliveries/{{id}}.");
        }

        var webhook = await LoadAsync(requester, $"webhooks/{parts[1]}", "name");
        var webhookId = parts[1];
        return await Writes.RetryOnConflictAsync(async () =>
        {
            var stored = await repository.GetEventAsync(eventId);
            var kept = stored?.Resource.Clone();
            var delivery = kept?.Deliveries.FirstOrDefault(d => d.WebhookId == webhookId) ?? throw new NotFoundException(name);
            if (delivery.Delivery.State == DeliveryState.Pending)
            {
                throw new FailedPreconditionException("DELIVERY_PENDING", name, "Cette livraison est encore en cours : elle sera retentée d'elle-même.");
            }

            RequireActive(webhook.Resource);
            delivery.Delivery.State = DeliveryState.Pending;
            delivery.Delivery.NextAttemptTime = Now;
            delivery.FirstAttemptUnixMs = 0;
            var batch = repository.Store.NewBatch();
            repository.PutEvent(batch, kept!, stored!.Version);
            await batch.CommitAsync();
            dispatcher.Nudge();
            return delivery.Delivery;
        });
    }

    /// <summary>Records a <c>WebhookPing</c> event as a delivery to the webhook.</summary>
    public async Task<WebhookDelivery> PingAsync(Requester requester, string name)
    {
        var webhook = await LoadAsync(requester, name, "name");
        RequireActive(webhook.Resource);
        var ping = OutgoingEvent.From(new WebhookPing { Webhook = name }, Dispatcher.Source, name, time, ReadersOf(webhook.Resource));
        var delivery = Dispatcher.NewDelivery(NotificationRepository.IdOf(name), ping.Id, ping.Type, Now);
        var batch = repository.Store.NewBatch();
        repository.PutEvent(batch, new StoredEvent { Id = ping.Id, Json = ping.ToJson(), Deliveries = { delivery } }, expectedVersion: 0);
        await batch.CommitAsync();
        dispatcher.Nudge();
        return delivery.Delivery;
    }

    /// <summary>
    /// A change of a webhook, made by the caller (SPEC section 10): read by its owner's party, or admins only when
    /// the owner is a key or a person. The secret never goes in it.
    /// </summary>
    private OutgoingEvent Event(Google.Protobuf.IMessage data, StoredWebhook webhook, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, Dispatcher.Source, webhook.Webhook.Name, time, ReadersOf(webhook), changes);

    private static ServiceDefaults.Identity.Readers ReadersOf(StoredWebhook webhook) =>
        ServiceDefaults.Identity.Readers.Only(webhook.OwnerParty.Length > 0 ? [webhook.OwnerParty] : [], []);

    private static Webhook WithoutSecret(Webhook webhook)
    {
        var copy = webhook.Clone();
        copy.Secret = "";
        return copy;
    }

    private static void RequireActive(StoredWebhook webhook)
    {
        if (webhook.Webhook.State != Webhook.Types.State.Active)
        {
            throw new FailedPreconditionException("WEBHOOK_DISABLED", webhook.Webhook.Name,
                "Ce webhook est désactivé : la clé ou la personne qui l'a créé n'est plus reconnue.");
        }
    }

    private async Task<List<FieldViolation>> CheckAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        var violations = new List<FieldViolation>();
        if (WebhookUrls.ShapeRefusal(webhook.Url, addresses.Rules.AllowLoopback, out var uri) is { } refusal)
        {
            violations.Add(new("url", refusal));
        }
        else if (!addresses.Rules.AllowLoopback && (await addresses.CheckAsync(uri!.DnsSafeHost, cancellationToken)).Refusal is { } addressRefusal)
        {
            violations.Add(new("url", addressRefusal));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < webhook.EventTypes.Count; i++)
        {
            var type = webhook.EventTypes[i];
            if (!EventTypes.Known.Contains(type))
            {
                violations.Add(new($"eventTypes[{i}]", $"« {type} » n'est pas un type d'événement connu (dernier segment, par exemple CommunicationStateChanged)."));
            }
            else if (!seen.Add(type))
            {
                violations.Add(new($"eventTypes[{i}]", $"« {type} » est déjà dans la liste."));
            }
        }

        if (webhook.Description.Length > 1000)
        {
            violations.Add(new("description", "La description dépasse 1 000 caractères."));
        }

        return violations;
    }

    private async Task<Webhook> ShownOnceAsync(Requester requester, string name)
    {
        // A retried create answers what the first made, its secret included: the first answer may have been lost.
        var stored = await LoadAsync(requester, name, "name");
        return Present(stored, withSecret: true);
    }

    private async Task<Stored<StoredWebhook>> LoadAsync(Requester requester, string name, string field)
    {
        var stored = await repository.GetWebhookAsync(ResourceName.ParseId(name, "webhooks", field));
        return stored is not null && requester.Owns(stored.Resource) ? stored : throw new NotFoundException(name);
    }

    private static Webhook Present(Stored<StoredWebhook> stored, bool withSecret = false)
    {
        var webhook = stored.Resource.Webhook.Clone();
        if (!withSecret)
        {
            webhook.Secret = "";
        }

        webhook.Etag = Document.EtagOf(stored.Version);
        return webhook;
    }

    private static bool IsGiven(Webhook patch, string path) => path switch
    {
        "url" => patch.Url.Length > 0,
        "event_types" => patch.EventTypes.Count > 0,
        _ => patch.Description.Length > 0,
    };
}
