using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class FilterTests
{
    private static readonly string[] Fields = ["kind", "academy", "valid_on"];

    private static readonly Dictionary<string, FilterOrder> Ordered = new()
    {
        ["valid_on"] = FilterOrder.Date,
        ["update_time"] = FilterOrder.Timestamp,
    };

    [Fact]
    public void Parse_ReadsComparisonsJoinedByAnd()
    {
        var filter = Filter.Parse("kind = SCHOOL AND academy = \"parties/aca-strasbourg\"", Fields);

        Assert.Equal([new FilterTerm("kind", "=", "SCHOOL"), new FilterTerm("academy", "=", "parties/aca-strasbourg")], filter.Terms);
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

    [Fact]
    public void Parse_ReadsARangeOnADate_AndAdmitsTheDaysInside()
    {
        var filter = Filter.Parse("kind = SCHOOL AND valid_on >= \"2027-01-01\" AND valid_on<\"2027-02-01\"", Fields, Ordered);

        Assert.Equal("SCHOOL", Assert.Single(filter.Equalities).Value);
        Assert.True(filter.Admits(_ => Filter.DateValue("2027-01-01")));
        Assert.True(filter.Admits(_ => Filter.DateValue("2027-01-31")));
        Assert.False(filter.Admits(_ => Filter.DateValue("2027-02-01")));
        Assert.False(filter.Admits(_ => Filter.DateValue("2026-12-31")));
        Assert.False(filter.Admits(_ => Filter.DateValue("")));
    }

    [Theory]
    [InlineData("update_time > \"2026-12-01T00:00:00Z\"", "2026-12-01T00:00:01Z", true)]
    [InlineData("update_time > \"2026-12-01T00:00:00Z\"", "2026-12-01T00:00:00Z", false)]
    [InlineData("update_time <= \"2026-12-01T01:00:00+01:00\"", "2026-12-01T00:00:00Z", true)]
    [InlineData("update_time < \"2026-12-01T01:00:00+01:00\"", "2026-12-01T00:00:00Z", false)]
    public void Parse_ComparesInstants_WhateverTheirOffset(string text, string instant, bool admitted)
    {
        var time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(admitted, Filter.Parse(text, Fields, Ordered).Admits(_ => Filter.TimeValue(time)));
    }

    [Theory]
    [InlineData("kind < SCHOOL", "ne s'applique qu'aux dates")]
    [InlineData("update_time = \"2026-12-01T00:00:00Z\"", "se compare avec « < »")]
    [InlineData("valid_on < \"31/01/2027\"", "une date AAAA-MM-JJ")]
    [InlineData("valid_on < \"2027-02-30\"", "une date AAAA-MM-JJ")]
    [InlineData("update_time >= \"2026-12-01\"", "un instant RFC 3339")]
    [InlineData("update_time >= \"2026-12-01T00:00:00\"", "un instant RFC 3339")]
    [InlineData("update_time >= 1T1", "un instant RFC 3339")]
    [InlineData("update_time >= \"2026-12-01T25:00:00Z\"", "un instant RFC 3339")]
    [InlineData("update_time => \"2026-12-01T00:00:00Z\"", "une valeur est attendue")]
    [InlineData("valid_on", "« = », « < », « <= », « > » ou « >= » est attendu")]
    public void Parse_RefusesComparisonsItCannotMake_NamingTheFilter(string text, string reason)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => Filter.Parse(text, Fields, Ordered));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("filter", violation.Field);
        Assert.Contains(reason, violation.Description, StringComparison.Ordinal);
    }
}
