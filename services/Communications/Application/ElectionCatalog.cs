using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Ent.Partnership.Communications.Application;

/// <summary>The elections called, whose reserve windows restrain messages. Admins keep them.</summary>
public sealed class ElectionCatalog(CommunicationRepository repository, TimeProvider time)
{
    private static readonly string[] Updatable = ["kind", "first_round_date", "second_round_date", "scope"];

    public async Task<Election> CreateAsync(Caller caller, Election? election, string electionId, string requestId)
    {
        caller.RequireAdmin("enregistrer une élection");
        if (election is null)
        {
            throw new InvalidArgumentException("election", "L'élection est obligatoire.");
        }

        var created = election.Clone();
        created.Name = "elections/" + ResourceName.NewId(electionId, "electionId", "e");
        Validate(created);
        return await repository.Store.CreateOnceAsync("create-election", requestId, GetAsync, async () =>
        {
            created.CreateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            var batch = repository.Store.NewBatch();
            repository.PutElection(batch, Stripped(created), expectedVersion: 0);
            batch.Publish(Event(new ElectionCreated { Election = Stripped(created) }, created.Name));
            batch.ForRequest("create-election", requestId, created.Name);

            try
            {
                var result = await batch.CommitAsync();
                return Present(new Stored<Election>(created, result.Versions[0]));
            }
            catch (ConcurrencyConflictException)
            {
                throw new AlreadyExistsException(created.Name, $"L'élection {created.Name} existe déjà.");
            }
        });
    }

    public async Task<Election> GetAsync(string name) => Present(await LoadAsync(name, "name"));

    public async Task<(IReadOnlyList<Election> Elections, string NextPageToken)> ListAsync(string filterText, int pageSize, string pageToken)
    {
        var filter = Filter.Parse(filterText, ["kind"]);
        var terms = filter.Terms.Select(t => new IndexTerm("kind", ProtoEnum.Name(ProtoEnum.Parse<Election.Types.Kind>(t.Value, "filter")))).ToList();
        var (elections, next) = await repository.ListElectionsAsync(terms, Paging.PageSize(pageSize), pageToken, filterText);
        return (elections.Select(Present).ToList(), next);
    }

    public async Task<Election> UpdateAsync(Caller caller, Election? patch, FieldMask? mask)
    {
        caller.RequireAdmin("modifier une élection");
        if (patch is null)
        {
            throw new InvalidArgumentException("election", "L'élection est obligatoire.");
        }

        var stored = await LoadAsync(patch.Name, "election.name");
        if (patch.Etag.Length > 0 && patch.Etag != Document.EtagOf(stored.Version))
        {
            throw new ConcurrencyConflictException(patch.Name);
        }

        var updated = stored.Resource.Clone();
        var paths = mask is { Paths.Count: > 0 } ? mask.Paths.Select(FieldPaths.ToSnakeCase).ToList() : Updatable.Where(p => IsGiven(patch, p)).ToList();
        foreach (var path in paths)
        {
            switch (path)
            {
                case "kind": updated.Kind = patch.Kind; break;
                case "first_round_date": updated.FirstRoundDate = patch.FirstRoundDate; break;
                case "second_round_date": updated.SecondRoundDate = patch.SecondRoundDate; break;
                case "scope": updated.Scope = patch.Scope; break;
                default: throw new InvalidArgumentException("updateMask", $"Le champ « {path} » ne peut pas être modifié.");
            }
        }

        Validate(updated);
        var batch = repository.Store.NewBatch();
        repository.PutElection(batch, Stripped(updated), stored.Version);
        batch.Publish(Event(new ElectionUpdated { Election = Stripped(updated) }, updated.Name, Changes.Between(stored.Resource, updated)));
        var result = await batch.CommitAsync();
        return Present(new Stored<Election>(updated, result.Versions[0]));
    }

    public async Task DeleteAsync(Caller caller, string name)
    {
        caller.RequireAdmin("supprimer une élection");
        var stored = await LoadAsync(name, "name");
        var batch = repository.Store.NewBatch();
        batch.Delete(CommunicationRepository.Elections, name["elections/".Length..], stored.Version);
        batch.Publish(Event(new ElectionDeleted { Election = stored.Resource }, name));
        await batch.CommitAsync();
    }

    /// <summary>An event about an election; every caller reads elections.</summary>
    private OutgoingEvent Event(Google.Protobuf.IMessage data, string subject, IReadOnlyList<FieldChange>? changes = null) =>
        OutgoingEvent.From(data, CommunicationEvents.Source, subject, time, Readers.Everyone, changes);

    public static void Validate(Election election)
    {
        var violations = new List<FieldViolation>();
        if (election.Kind == 0)
        {
            violations.Add(new("kind", "Le type d'élection est obligatoire."));
        }

        DateOnly? first = null;
        if (!CivilDate.TryParse(election.FirstRoundDate, out var firstRound) || firstRound.Year is < 1990 or > 2100)
        {
            violations.Add(new("firstRoundDate", "Une date AAAA-MM-JJ entre 1990 et 2100 est attendue."));
        }
        else
        {
            first = firstRound;
        }

        if (election.SecondRoundDate.Length > 0 && (!CivilDate.TryParse(election.SecondRoundDate, out var second) || first is { } day && (second < day || second > day.AddMonths(6))))
        {
            violations.Add(new("secondRoundDate", "Une date AAAA-MM-JJ après le premier tour, dans les six mois, est attendue."));
        }

        if (election.Scope is not { } scope || !scope.National && scope.PartyKinds.Count == 0 && scope.Parties.Count == 0)
        {
            violations.Add(new("scope", "Indiquez qui l'élection concerne : national, partyKinds ou parties."));
        }
        else
        {
            if (scope.PartyKinds.Contains(0))
            {
                violations.Add(new("scope.partyKinds", "Un type de partie est attendu."));
            }

            for (var i = 0; i < scope.Parties.Count; i++)
            {
                if (ResourceName.IdOf(scope.Parties[i], "parties") is null)
                {
                    violations.Add(new($"scope.parties[{i}]", $"« {scope.Parties[i]} » n'est pas un nom de la forme parties/{{id}}."));
                }
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    private async Task<Stored<Election>> LoadAsync(string name, string field) =>
        await repository.GetElectionAsync(ResourceName.ParseId(name, "elections", field)) ?? throw new NotFoundException(name);

    private static Election Stripped(Election election)
    {
        var stored = election.Clone();
        stored.Etag = stored.ReserveStartDate = stored.ReserveEndDate = "";
        return stored;
    }

    private static Election Present(Stored<Election> stored)
    {
        var election = stored.Resource.Clone();
        var (start, end) = ElectionWindow.Of(CivilDate.Parse(election.FirstRoundDate, "firstRoundDate"), CivilDate.ParseOptional(election.SecondRoundDate, "secondRoundDate"));
        election.ReserveStartDate = start.ToText();
        election.ReserveEndDate = end.ToText();
        election.Etag = Document.EtagOf(stored.Version);
        return election;
    }

    private static bool IsGiven(Election patch, string path) => path switch
    {
        "kind" => patch.Kind != 0,
        "first_round_date" => patch.FirstRoundDate.Length > 0,
        "second_round_date" => patch.SecondRoundDate.Length > 0,
        _ => patch.Scope is not null,
    };
}
