using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class FilterTests
{
    private static readonly string[] Fields = ["kind", "academy", "valid_on"];

    [Fact]
    public void Parse_ReadsComparisonsJoinedByAnd()
    {
        var filter = Filter.Parse("kind = SCHOOL AND academy = \"parties/aca-strasbourg\"", Fields);

        Assert.Equal([new FilterTerm("kind", "SCHOOL"), new FilterTerm("academy", "parties/aca-strasbourg")], filter.Terms);
    }

    [Fact]
    public void Parse_ReadsEscapesInQuotedValues() =>
        Assert.Equal("a \"b\" \\c", Filter.Parse("academy = \"a \\\"b\\\" \\\\c\"", Fields).ValueOf("academy"));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Parse_GivesNoTerm_ForAnEmptyFilter(string? text) => Assert.Empty(Filter.Parse(text, Fields).Terms);

    [Theory]
    [InlineData("colour = red", "ne peut pas servir de filtre")]
    [InlineData("kind SCHOOL", "« = » est attendu")]
    [InlineData("kind =", "une valeur est attendue")]
    [InlineData("kind = SCHOOL OR kind = REGION", "« AND » est attendu")]
    [InlineData("kind = SCHOOL AND", "un nom de champ est attendu")]
    [InlineData("kind = \"SCHOOL", "n'est pas fermée")]
    [InlineData("kind = SCHOOL AND kind = REGION", "apparaît deux fois")]
    [InlineData("kind != SCHOOL", "« = » est attendu")]
    public void Parse_RefusesWhatIsNotTheGrammar(string text, string reason)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => Filter.Parse(text, Fields));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("filter", violation.Field);
        Assert.Contains(reason, violation.Description, StringComparison.Ordinal);
    }
}
