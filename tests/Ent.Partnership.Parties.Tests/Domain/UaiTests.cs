using Ent.Partnership.Parties.Domain;

namespace Ent.Partnership.Parties.Tests.Domain;

public sealed class UaiTests
{
    [Theory]
    [InlineData("0370884K")]
    [InlineData("0451526P")]
    [InlineData("0691670R")]
    [InlineData("0690016T")]
    public void Uai_IsValid_WithItsCheckLetter(string uai) => Assert.Null(Uai.Problem(uai));

    [Theory]
    [InlineData("0370884L", "devrait être « K »")]
    [InlineData("0370884k", "7 chiffres suivis d'une lettre majuscule")]
    [InlineData("037088K", "7 chiffres suivis d'une lettre majuscule")]
    [InlineData("03708841", "7 chiffres suivis d'une lettre majuscule")]
    [InlineData("", "obligatoire")]
    public void Uai_IsRefused_WithTheReason(string uai, string reason) =>
        Assert.Contains(reason, Uai.Problem(uai), StringComparison.Ordinal);

    [Fact]
    public void CheckLetter_SkipsTheLettersThatLookLikeDigits()
    {
        Assert.Equal('A', Uai.CheckLetter(0));
        Assert.Equal('J', Uai.CheckLetter(8));
        Assert.Equal('Z', Uai.CheckLetter(22));
        Assert.Equal('A', Uai.CheckLetter(23));
    }

    [Fact]
    public void PartyId_IsTheUaiInLowerCase() => Assert.Equal("uai-0370884k", Uai.PartyId("0370884K"));
}
