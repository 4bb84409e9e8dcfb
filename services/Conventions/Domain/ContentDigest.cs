using System.Security.Cryptography;
using Ent.Partnership.Conventions.V1;
using Google.Protobuf;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>
/// The digest that deliberations and signatures approve: SHA-256, in lower-case hex, of the protobuf
/// encoding of the convention's content alone (title, purpose, signatories, articles, annexes, effective
/// and end dates; every other field cleared). The encoding writes fields in field-number order and the
/// content has no maps, so the same content always gives the same bytes (see docs/decisions.md).
/// </summary>
public static class ContentDigest
{
    public static string Of(Convention convention)
    {
        var content = new Convention
        {
            Title = convention.Title,
            Purpose = convention.Purpose,
            EffectiveDate = convention.EffectiveDate,
            EndDate = convention.EndDate,
        };
        content.Signatories.AddRange(convention.Signatories);
        content.Articles.AddRange(convention.Articles);
        content.Annexes.AddRange(convention.Annexes);
        return Hash(content);
    }

    /// <summary>The digest of one annex, to which a charter validation is bound.</summary>
    public static string Of(Annex annex) => Hash(annex);

    private static string Hash(IMessage message) => Convert.ToHexStringLower(SHA256.HashData(message.ToByteArray()));
}
