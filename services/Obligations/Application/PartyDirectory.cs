using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;

namespace Ent.Partnership.Obligations.Application;

/// <summary>The schools that evidence names, checked against the parties service.</summary>
public sealed class PartyDirectory(Parties.V1.Parties.PartiesClient parties)
{
    public async Task CheckSchoolsAsync(IReadOnlyList<string> schools)
    {
        var violations = new List<FieldViolation>();
        for (var i = 0; i < schools.Count; i++)
        {
            try
            {
                var party = await parties.GetPartyAsync(new GetPartyRequest { Name = schools[i] });
                if (party.Kind != Party.Types.Kind.School)
                {
                    violations.Add(new($"trainingSession.schools[{i}]", $"{schools[i]} n'est pas un établissement."));
                }
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                violations.Add(new($"trainingSession.schools[{i}]", $"L'établissement {schools[i]} n'existe pas."));
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>The school a ticket is for; INVALID_ARGUMENT on <c>school</c> when it is none.</summary>
    public async Task<Party> SchoolAsync(string name)
    {
        try
        {
            var party = await parties.GetPartyAsync(new GetPartyRequest { Name = name });
            return party.Kind == Party.Types.Kind.School ? party : throw new InvalidArgumentException("school", $"{name} n'est pas un établissement.");
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            throw new InvalidArgumentException("school", $"L'établissement « {name} » n'existe pas.");
        }
    }

    /// <summary>Every school the parties service knows, with its competence history.</summary>
    public async Task<IReadOnlyList<Party>> AllSchoolsAsync()
    {
        var schools = new List<Party>();
        var request = new ListPartiesRequest { Filter = "kind = SCHOOL", PageSize = 500 };
        do
        {
            var page = await parties.ListPartiesAsync(request);
            schools.AddRange(page.Parties);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return schools;
    }
}
