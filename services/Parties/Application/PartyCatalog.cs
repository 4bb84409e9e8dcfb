using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.Storage;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Application;

/// <summary>
/// The parties service's operations, whoever calls them (the gRPC service, the reference-data loader):
/// checks who may act, validates with the domain rules, writes each change and its event in one step.
/// </summary>
public sealed class PartyCatalog(PartyRepository repository, TimeProvider time)
{
    public const string EventSource = "/ent-partnership/parties";

    private static readonly string[] ListFields = ["kind", "competent_authority", "academy", "sector", "school_type", "insee_code", "valid_on"];

    private static readonly Dictionary<string, Action<Party, Party>> Updatable = new()
    {
        ["display_name"] = (target, source) => target.DisplayName = source.DisplayName,
        ["uai"] = (target, source) => target.Uai = source.Uai,
        ["insee_code"] = (target, source) => target.InseeCode = source.InseeCode,
        ["academy_code"] = (target, source) => target.AcademyCode = source.AcademyCode,
        ["academy"] = (target, source) => target.Academy = source.Academy,
        ["school_type"] = (target, source) => target.SchoolType = source.SchoolType,
        ["sector"] = (target, source) => target.Sector = source.Sector,
        ["pupil_count"] = (target, source) =>
        {
            if (source.HasPupilCount)
            {
                target.PupilCount = source.PupilCount;
            }
            else
            {
                target.ClearPupilCount();
            }
        },
        ["commune"] = (target, source) => target.Commune = source.Commune,
        ["representative"] = (target, source) => target.Representative = source.Representative?.Clone(),
        ["valid_from"] = (target, source) => target.ValidFrom = source.ValidFrom,
        ["valid_to"] = (target, source) => target.ValidTo = source.ValidTo,
    };

    public DateOnly Today => CivilDate.Today(time);

    public async Task<Party> GetAsync(string name) => Present(await LoadAsync(name, "name"));

    public async Task<Party> CreateAsync(Caller caller, Party? party, string partyId, string requestId)
    {
        caller.RequireAdmin("créer une partie");
        if (party is null)
        {
            throw new InvalidArgumentException("party", "La partie à créer est obligatoire.");
        }

        return await repository.Store.CreateOnceAsync("create-party", requestId, GetAsync, async () =>
        {
            var id = partyId.Length > 0 ? partyId : DefaultId(party);
            if (!PartyRules.IdPattern().IsMatch(id))
            {
                throw new InvalidArgumentException("partyId", $"« {id} » ne convient pas comme identifiant (^[a-z][a-z0-9-]{{2,62}}$).");
            }

            var created = party.Clone();
            created.Name = PartyRules.NamePrefix + id;
            created.Etag = "";
            created.CompetenceHistory.Clear();
            if (created.CompetentAuthority.Length > 0)
            {
                CompetenceHistory.Assign(created.CompetenceHistory, created.CompetentAuthority, Today);
            }

            await ValidateAsync(created);
            created.CreateTime = created.UpdateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            var batch = repository.Store.NewBatch();
            repository.Put(batch, created, expectedVersion: 0);
            batch.Publish(Event(new PartyCreated { Party = created }, created.Name));
            batch.ForRequest("create-party", requestId, created.Name);

            try
            {
                var result = await batch.CommitAsync();
                return Present(new StoredParty(created, result.Versions[0]));
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"La partie {created.Name} existe déjà.");
            }
        });
    }

    public async Task<(IReadOnlyList<Party> Parties, string NextPageToken)> ListAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ListFields);
        var terms = new List<IndexTerm>();
        Func<Party, bool>? keep = null;
        foreach (var term in filter.Terms)
        {
            switch (term.Field)
            {
                case "kind":
                    terms.Add(new IndexTerm("kind", ProtoEnum.Name(ProtoEnum.Parse<Kind>(term.Value, "filter"))));
                    break;
                case "sector":
                    terms.Add(new IndexTerm("sector", ProtoEnum.Name(ProtoEnum.Parse<Sector>(term.Value, "filter"))));
                    break;
                case "school_type":
                    terms.Add(new IndexTerm("school_type", ProtoEnum.Name(ProtoEnum.Parse<SchoolType>(term.Value, "filter"))));
                    break;
                case "academy":
                case "insee_code":
                    terms.Add(new IndexTerm(term.Field, term.Value));
                    break;
                case "competent_authority":
                    var today = Today;
                    terms.Add(new IndexTerm("authority", term.Value));
                    keep = And(keep, p => CompetenceHistory.AuthorityOn(p.CompetenceHistory, today) == term.Value);
                    break;
                case "valid_on":
                    var day = CivilDate.TryParse(term.Value, out var date)
                        ? date
                        : throw new InvalidArgumentException("filter", $"valid_on attend une date AAAA-MM-JJ, non « {term.Value} ».");
                    keep = And(keep, p => PartyRules.IsValidOn(p, day));
                    break;
            }
        }

        var (parties, next) = await repository.ListAsync(terms, keep, Paging.PageSize(pageSize), pageToken, filterText);
        return (parties.Select(Present).ToList(), next);
    }

    public async Task<Party> UpdateAsync(Caller caller, Party? patch, FieldMask? mask)
    {
        caller.RequireAdmin("modifier une partie");
        if (patch is null)
        {
            throw new InvalidArgumentException("party", "La partie à modifier est obligatoire.");
        }

        var stored = await LoadAsync(patch.Name, "name");
        if (patch.Etag.Length > 0 && patch.Etag != stored.Party.Etag)
        {
            throw new ConcurrencyConflictException(stored.Party.Name);
        }

        // REST clients write the mask in JSON names (displayName); the proto names are snake_case.
        var paths = mask is { Paths.Count: > 0 } ? mask.Paths.Select(FieldPaths.ToSnakeCase).ToList() : PopulatedPaths(patch);
        var updated = stored.Party.Clone();
        var changed = new List<string>();
        foreach (var path in paths.Distinct())
        {
            changed.Add(path);
            if (Updatable.TryGetValue(path, out var apply))
            {
                apply(updated, patch);
            }
            else if (path == "competent_authority")
            {
                updated.CompetentAuthority = patch.CompetentAuthority;
                if (patch.CompetentAuthority.Length > 0)
                {
                    CompetenceHistory.Assign(updated.CompetenceHistory, patch.CompetentAuthority, Today);
                }
            }
            else if (path == "kind" && patch.Kind != stored.Party.Kind)
            {
                throw new InvalidArgumentException("kind", "Le type d'une partie ne change pas.");
            }
            else if (path != "kind")
            {
                throw new InvalidArgumentException("updateMask", $"Le champ « {path} » ne peut pas être modifié.");
            }
        }

        await ValidateAsync(updated);
        updated.CompetentAuthority = "";
        updated.UpdateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var batch = repository.Store.NewBatch();
        repository.Put(batch, updated, stored.Version);
        var evt = new PartyUpdated { Party = updated };
        evt.ChangedFields.AddRange(changed);
        batch.Publish(Event(evt, updated.Name, Changes.Between(stored.Party, updated)));
        var result = await batch.CommitAsync();
        return Present(new StoredParty(updated, result.Versions[0]));
    }

    public async Task<Party> SucceedAsync(Caller caller, string name, string successorName, string effectiveDateText)
    {
        caller.RequireAdmin("déclarer une succession");
        var stored = await LoadAsync(name, "name");
        var effectiveDate = CivilDate.Parse(effectiveDateText, "effectiveDate");
        if (PartyRules.IdOf(successorName) is not { } successorId)
        {
            throw new InvalidArgumentException("successor", "Le successeur est obligatoire (parties/{id}).");
        }

        if (successorName == stored.Party.Name)
        {
            throw new InvalidArgumentException("successor", "Une partie ne peut pas se succéder à elle-même.");
        }

        var successor = await repository.GetAsync(successorId)
            ?? throw new InvalidArgumentException("successor", $"La partie {successorName} n'existe pas.");
        var lastDay = effectiveDate.AddDays(-1).ToText();
        var party = stored.Party;
        if (party.Successor.Length > 0)
        {
            return party.Successor == successorName && party.ValidTo == lastDay
                ? Present(stored)
                : throw new FailedPreconditionException("ALREADY_SUCCEEDED", party.Name,
                    $"{party.DisplayName} a déjà pour successeur {party.Successor} depuis le lendemain du {party.ValidTo}.");
        }

        if (party.Kind == Kind.School || successor.Party.Kind == Kind.School)
        {
            throw new FailedPreconditionException("NOT_A_COLLECTIVITY", party.Name, "Un établissement ne succède pas à une partie et n'a pas de successeur.");
        }

        if (CivilDate.TryParse(party.ValidFrom, out var from) && from > effectiveDate.AddDays(-1))
        {
            throw new FailedPreconditionException("BEFORE_VALIDITY", party.Name, $"{party.DisplayName} n'existe qu'à partir du {party.ValidFrom}.");
        }

        var updated = party.Clone();
        updated.ValidTo = lastDay;
        updated.Successor = successorName;
        updated.UpdateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var batch = repository.Store.NewBatch();
        repository.Put(batch, updated, stored.Version);
        var evt = new PartySucceeded { Party = party.Name, Successor = successorName, EffectiveDate = effectiveDate.ToText() };
        foreach (var school in await repository.ListAllAsync([new IndexTerm("authority", party.Name)]))
        {
            var moved = school.Party.Clone();
            if (CompetenceHistory.Succeed(moved.CompetenceHistory, party.Name, successorName, effectiveDate))
            {
                moved.UpdateTime = updated.UpdateTime;
                repository.Put(batch, moved, school.Version);
                evt.Schools.Add(moved.Name);
            }
        }

        batch.Publish(Event(evt, party.Name));
        var result = await batch.CommitAsync();
        return Present(new StoredParty(updated, result.Versions[0]));
    }

    public async Task<Competence> ResolveCompetenceAsync(string name, string dateText)
    {
        var school = (await LoadAsync(name, "name")).Party;
        var date = CivilDate.ParseOptional(dateText, "date") ?? Today;
        if (school.Kind != Kind.School)
        {
            throw new FailedPreconditionException("NOT_A_SCHOOL", school.Name, $"{school.DisplayName} n'est pas un établissement.");
        }

        var authority = CompetenceHistory.AuthorityOn(school.CompetenceHistory, date)
            ?? throw new FailedPreconditionException("NO_COMPETENT_AUTHORITY", school.Name,
                $"Aucune collectivité n'est compétente pour {school.DisplayName} le {date.ToText()}.");
        return new Competence { School = school.Name, Date = date.ToText(), CompetentAuthority = authority };
    }

    public async Task<Succession> ResolveSuccessionAsync(string name, string dateText)
    {
        var party = (await LoadAsync(name, "name")).Party;
        var date = CivilDate.ParseOptional(dateText, "date") ?? Today;
        var steps = await Successions.ChainAsync(party, async successor =>
            PartyRules.IdOf(successor) is { } id ? (await repository.GetAsync(id))?.Party : null);
        return new Succession
        {
            Party = party.Name,
            Date = date.ToText(),
            Holder = Successions.HolderOn(party.Name, steps, date),
            Steps = { steps },
        };
    }

    public async Task<(IReadOnlyList<Party> Schools, string NextPageToken)> SchoolsUnderCompetenceAsync(
        string authorityName, string startText, string endText, int pageSize, string pageToken)
    {
        var authority = (await LoadAsync(authorityName, "authority")).Party.Name;
        var first = CivilDate.ParseOptional(startText, "startDate") ?? Today;
        var last = CivilDate.ParseOptional(endText, "endDate") ?? first;
        if (last < first)
        {
            throw new InvalidArgumentException("endDate", $"La fin de la période ({last.ToText()}) précède son début ({first.ToText()}).");
        }

        var (schools, next) = await repository.ListAsync(
            [new IndexTerm("authority", authority)],
            s => s.Kind == Kind.School
                && PartyRules.IsValidDuring(s, first, last)
                && CompetenceHistory.IsCompetentDuring(s.CompetenceHistory, authority, first, last),
            Paging.PageSize(pageSize), pageToken, $"{authority}|{first.ToText()}|{last.ToText()}");
        return (schools.Select(Present).ToList(), next);
    }

    public async Task<Membership> CreateMembershipAsync(Caller caller, string parent, Membership? membership, string requestId)
    {
        caller.RequireAdmin("enregistrer une adhésion");
        var group = (await LoadAsync(parent, "parent")).Party;
        if (membership is null)
        {
            throw new InvalidArgumentException("membership", "L'adhésion est obligatoire.");
        }

        if (group.Kind != Kind.PurchasingGroup)
        {
            throw new FailedPreconditionException("NOT_A_PURCHASING_GROUP", group.Name, $"{group.DisplayName} n'est pas un groupement de commandes.");
        }

        var violations = new List<FieldViolation>();
        var memberId = PartyRules.IdOf(membership.Member);
        var member = memberId is null ? null : await repository.GetAsync(memberId);
        if (member is null)
        {
            violations.Add(new FieldViolation("member", $"Le membre « {membership.Member} » n'est pas une partie existante."));
        }
        else if (member.Party.Kind is not (Kind.Region or Kind.Department or Kind.SpecialCollectivity))
        {
            violations.Add(new FieldViolation("member", "Seule une collectivité peut adhérer à un groupement de commandes."));
        }

        if (membership.Role == Membership.Types.Role.Unspecified)
        {
            violations.Add(new FieldViolation("role", "Le rôle (COORDINATOR ou MEMBER) est obligatoire."));
        }

        var joined = CivilDate.TryParse(membership.JoinedOn, out var j) ? j : (DateOnly?)null;
        if (joined is null)
        {
            violations.Add(new FieldViolation("joinedOn", "La date d'adhésion (AAAA-MM-JJ) est obligatoire."));
        }

        if (membership.LeftOn.Length > 0 && (!CivilDate.TryParse(membership.LeftOn, out var left) || left < joined))
        {
            violations.Add(new FieldViolation("leftOn", "La date de départ doit être une date AAAA-MM-JJ, après l'adhésion."));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }

        var created = membership.Clone();
        created.Name = $"{group.Name}/memberships/{memberId}";
        created.Etag = "";
        // The member's own membership, if recorded already, is left to the write below (ALREADY_EXISTS, or the same request again).
        var others = (await repository.AllMembershipsAsync(group.Name[PartyRules.NamePrefix.Length..])).Where(m => m.Name != created.Name).ToList();
        if (GroupCoordination.Added(others, others.Append(created), twoCoordinatorsOnly: true) is [_, ..] breaches)
        {
            throw new FailedPreconditionException("ONE_COORDINATOR", group.Name, string.Join(" ", breaches));
        }

        var batch = repository.Store.NewBatch();
        repository.PutMembership(batch, group.Name[PartyRules.NamePrefix.Length..], memberId!, created, expectedVersion: 0);
        batch.Publish(Event(new MembershipCreated { Membership = created }, created.Name));
        batch.ForRequest("create-membership", requestId, created.Name);

        try
        {
            created.Etag = Document.EtagOf((await batch.CommitAsync()).Versions[0]);
            return created;
        }
        catch (Exception exception) when (exception is ConcurrencyConflictException or DuplicateRequestException)
        {
            var existing = await repository.GetMembershipAsync(group.Name[PartyRules.NamePrefix.Length..], memberId!);
            return exception is DuplicateRequestException && existing is not null
                ? existing.Membership
                : throw new AlreadyExistsException(created.Name, $"{membership.Member} est déjà membre de {group.DisplayName}.");
        }
    }

    /// <summary>The member and the day it joined never change (SPEC section 11).</summary>
    private static readonly Updatable<Membership> MembershipUpdatable = new Updatable<Membership>("d'une adhésion (seuls leftOn, role et deliberationReference changent)")
        .Field("left_on", (target, source) => target.LeftOn = source.LeftOn, patch => patch.LeftOn.Length > 0)
        .Field("role", (target, source) => target.Role = source.Role, patch => patch.Role != Membership.Types.Role.Unspecified)
        .Field("deliberation_reference", (target, source) => target.DeliberationReference = source.DeliberationReference, patch => patch.DeliberationReference.Length > 0);

    /// <summary>Records a member leaving, a change of role or of the deliberation's reference.</summary>
    public async Task<Membership> UpdateMembershipAsync(Caller caller, Membership? patch, FieldMask? mask)
    {
        caller.RequireAdmin("modifier une adhésion");
        if (patch is null)
        {
            throw new InvalidArgumentException("membership", "L'adhésion est obligatoire.");
        }

        var (groupId, memberId) = MembershipIds(patch.Name, "membership.name");
        var stored = await repository.GetMembershipAsync(groupId, memberId) ?? throw new NotFoundException(patch.Name);
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(patch.Name);
        }

        var updated = stored.Membership.Clone();
        MembershipUpdatable.Apply(updated, patch, mask);

        if (updated.Role == Membership.Types.Role.Unspecified)
        {
            throw new InvalidArgumentException("role", "Le rôle (COORDINATOR ou MEMBER) est obligatoire.");
        }

        if (updated.LeftOn.Length > 0 && (!CivilDate.TryParse(updated.LeftOn, out var left) || left < CivilDate.Parse(updated.JoinedOn, "joinedOn") || left > Today))
        {
            throw new InvalidArgumentException("leftOn", $"La date de départ est une date AAAA-MM-JJ, entre l'adhésion ({updated.JoinedOn}) et aujourd'hui.");
        }

        var group = await repository.AllMembershipsAsync(groupId);
        var breaches = GroupCoordination.Added(group, group.Where(m => m.Name != updated.Name).Append(updated));
        if (breaches.Count > 0)
        {
            throw new FailedPreconditionException("ONE_COORDINATOR", "parties/" + groupId, string.Join(" ", breaches));
        }

        var batch = repository.Store.NewBatch();
        repository.PutMembership(batch, groupId, memberId, updated, stored.Version);
        batch.Publish(Event(new MembershipUpdated { Membership = updated }, updated.Name, Changes.Between(stored.Membership, updated)));
        updated.Etag = Document.EtagOf((await batch.CommitAsync()).Versions[0]);
        return updated;
    }

    public async Task<Membership> GetMembershipAsync(string name)
    {
        var (groupId, memberId) = MembershipIds(name, "name");
        var stored = await repository.GetMembershipAsync(groupId, memberId) ?? throw new NotFoundException(name);
        var membership = stored.Membership.Clone();
        membership.Etag = Document.EtagOf(stored.Version);
        return membership;
    }

    public async Task<(IReadOnlyList<Membership> Memberships, string NextPageToken)> ListMembershipsAsync(string parent, int pageSize, string pageToken)
    {
        var group = (await LoadAsync(parent, "parent")).Party;
        return await repository.ListMembershipsAsync(group.Name[PartyRules.NamePrefix.Length..], Paging.PageSize(pageSize), pageToken);
    }

    /// <summary>The party as clients see it: its competent authority today, its etag.</summary>
    public Party Present(StoredParty stored)
    {
        var party = stored.Party.Clone();
        party.Etag = Document.EtagOf(stored.Version);
        party.CompetentAuthority = CompetenceHistory.AuthorityOn(party.CompetenceHistory, Today) ?? "";
        return party;
    }

    /// <summary>An event of the service; every caller reads parties and memberships (SPEC section 8).</summary>
    internal OutgoingEvent Event(IMessage data, string subject, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, EventSource, subject, time, Readers.Everyone, changes);

    /// <summary>A page of a party's history: its own events and its memberships'.</summary>
    public Task<Common.V1.History> HistoryAsync(Caller caller, IHistoryRequest request)
    {
        var id = PartyRules.IdOf(request.Name) ?? throw new InvalidArgumentException("name", $"« {request.Name} » n'est pas un nom de partie (parties/{{id}}).");
        return EventHistory.PageAsync(repository.Store, caller, PartyRules.NamePrefix + id, request.PageSize, request.PageToken, PartyHistory.Summarize,
            () => LoadAsync(request.Name, "name"));
    }

    private static (string GroupId, string MemberId) MembershipIds(string name, string field) =>
        name.Split('/') is ["parties", var groupId, "memberships", var memberId]
            && PartyRules.IdOf("parties/" + groupId) is not null && PartyRules.IdOf("parties/" + memberId) is not null
            ? (groupId, memberId)
            : throw new InvalidArgumentException(field, $"« {name} » n'est pas un nom de la forme parties/{{groupe}}/memberships/{{membre}}.");

    internal async Task<StoredParty> LoadAsync(string name, string field)
    {
        var id = PartyRules.IdOf(name) ?? throw new InvalidArgumentException(field, $"« {name} » n'est pas un nom de partie (parties/{{id}}).");
        return await repository.GetAsync(id) ?? throw new NotFoundException(name);
    }

    private async Task ValidateAsync(Party party)
    {
        var references = PartyRules.References(party).Select(PartyRules.IdOf).OfType<string>().ToList();
        var referenced = (await repository.GetManyAsync(references)).ToDictionary(p => p.Party.Name, p => p.Party);
        var violations = PartyRules.Check(party, referenced);
        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private static string DefaultId(Party party) =>
        party.Kind == Kind.School && Uai.IsValid(party.Uai)
            ? Uai.PartyId(party.Uai)
            : "p-" + Guid.NewGuid().ToString("N")[..12];

    private static List<string> PopulatedPaths(Party patch) =>
        Party.Descriptor.Fields.InDeclarationOrder()
            .Where(f => f.Name is not ("name" or "etag") && IsPopulated(f, patch))
            .Select(f => f.Name)
            .ToList();

    private static bool IsPopulated(Google.Protobuf.Reflection.FieldDescriptor field, Party patch)
    {
        if (field.HasPresence)
        {
            return field.Accessor.HasValue(patch);
        }

        return field.Accessor.GetValue(patch) switch
        {
            string text => text.Length > 0,
            System.Collections.IList list => list.Count > 0,
            System.Enum value => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0,
            bool flag => flag,
            int number => number != 0,
            var value => value is not null,
        };
    }

    private static Func<Party, bool> And(Func<Party, bool>? first, Func<Party, bool> second) =>
        first is null ? second : p => first(p) && second(p);
}
