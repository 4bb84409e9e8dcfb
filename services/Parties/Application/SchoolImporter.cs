using Ent.Partnership.Parties.Domain;
using Ent.Partnership.Parties.Storage;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Parties.V1.Party.Types;

namespace Ent.Partnership.Parties.Application;

/// <summary>
/// Imports the Annuaire CSV: classifies each row, compares each school with the stored one and writes what
/// changed in batches, each batch with its SchoolsImported event. Importing a file twice changes nothing.
/// </summary>
public sealed class SchoolImporter(PartyRepository repository, PartyCatalog catalog, TimeProvider time)
{
    /// <summary>Schools written per atomic step.</summary>
    public const int BatchSize = 100;

    public async Task<ImportSchoolsResponse> ImportAsync(Caller caller, string csv, bool dryRun)
    {
        caller.RequireAdmin("importer des établissements");
        var rows = SchoolImport.Parse(csv);
        var directory = PartyDirectory.From(
            (await repository.ListAllAsync([new IndexTerm("kind", "DEPARTMENT")]))
            .Concat(await repository.ListAllAsync([new IndexTerm("kind", "REGION")]))
            .Concat(await repository.ListAllAsync([new IndexTerm("kind", "ACADEMY")]))
            .Select(p => p.Party));

        var response = new ImportSchoolsResponse();
        var schools = new List<(AnnuaireRow Row, Party School)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            switch (SchoolImport.Classify(row, directory))
            {
                case RowOutcome.Skipped:
                    response.Skipped++;
                    break;
                case RowOutcome.Rejected rejected:
                    response.Rejected.Add(new RejectedRow { Line = row.Line, Uai = row.Uai, Reason = rejected.Reason });
                    break;
                case RowOutcome.School school when !seen.Add(school.Party.Uai):
                    response.Rejected.Add(new RejectedRow { Line = row.Line, Uai = row.Uai, Reason = "Cet UAI figure déjà plus haut dans le fichier." });
                    break;
                case RowOutcome.School school:
                    schools.Add((row, school.Party));
                    break;
            }
        }

        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        foreach (var chunk in schools.Chunk(BatchSize))
        {
            await ImportChunkAsync(chunk, response, now, dryRun);
        }

        return response;
    }

    private async Task ImportChunkAsync((AnnuaireRow Row, Party School)[] chunk, ImportSchoolsResponse response, Timestamp now, bool dryRun)
    {
        var ids = chunk.Select(s => s.School.Name[PartyRules.NamePrefix.Length..]).ToList();
        var existing = (await repository.GetManyAsync(ids)).ToDictionary(p => p.Party.Name);
        var batch = repository.Store.NewBatch();
        var imported = new SchoolsImported();
        foreach (var (row, school) in chunk)
        {
            if (existing.TryGetValue(school.Name, out var stored))
            {
                var merged = Merge(stored.Party, school);
                if (merged.Equals(Comparable(stored.Party)))
                {
                    response.Unchanged++;
                    continue;
                }

                merged.CreateTime = stored.Party.CreateTime;
                merged.UpdateTime = now;
                repository.Put(batch, merged, stored.Version);
                imported.Updated.Add(school.Name);
                response.Updated++;
            }
            else if (await repository.Store.FindUniqueAsync(PartyRepository.UaiUnique, school.Uai) is { } owner)
            {
                response.Rejected.Add(new RejectedRow { Line = row.Line, Uai = row.Uai, Reason = $"Cet UAI appartient déjà à parties/{owner}." });
            }
            else
            {
                school.CreateTime = school.UpdateTime = now;
                repository.Put(batch, school, expectedVersion: 0);
                imported.Created.Add(school.Name);
                response.Created++;
            }
        }

        if (!dryRun && batch.Count > 0)
        {
            batch.Publish(catalog.Event(imported, PartyRepository.Parties));
            await batch.CommitAsync();
        }
    }

    /// <summary>
    /// The stored school with the file's values. A history the school already has is kept: it may record a
    /// succession or an explicit assignment that the file knows nothing of.
    /// </summary>
    private static Party Merge(Party stored, Party imported)
    {
        var merged = Comparable(stored);
        merged.DisplayName = imported.DisplayName;
        merged.Uai = imported.Uai;
        merged.Academy = imported.Academy;
        merged.SchoolType = imported.SchoolType;
        merged.Sector = imported.Sector;
        merged.Commune = imported.Commune;
        if (imported.HasPupilCount)
        {
            merged.PupilCount = imported.PupilCount;
        }

        if (merged.CompetenceHistory.Count == 0 && imported.Sector != Sector.Private)
        {
            merged.CompetenceHistory.AddRange(imported.CompetenceHistory);
        }

        return merged;
    }

    private static Party Comparable(Party party)
    {
        var copy = party.Clone();
        copy.Etag = "";
        copy.CompetentAuthority = "";
        copy.CreateTime = null;
        copy.UpdateTime = null;
        return copy;
    }
}
