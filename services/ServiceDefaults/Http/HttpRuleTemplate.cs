using System.Text;
using System.Text.RegularExpressions;
using Google.Api;

namespace Ent.Partnership.ServiceDefaults.Http;

/// <summary>The path template of a <c>google.api.http</c> rule (<c>/v1/{name=parties/*}:succeed</c>) as a matcher.</summary>
public static class HttpRuleTemplate
{
    /// <summary>The HTTP method and path template of a rule.</summary>
    public static (string Method, string Template) Of(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
        HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
        HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
        HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
        HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
        HttpRule.PatternOneofCase.Custom => (rule.Custom.Kind, rule.Custom.Path),
        _ => ("", ""),
    };

    /// <summary>A regular expression matching exactly the paths of <paramref name="template"/>.</summary>
    public static Regex ToRegex(string template)
    {
        var pattern = new StringBuilder("^");
        var i = 0;
        while (i < template.Length)
        {
            if (template[i] == '{')
            {
                var end = template.IndexOf('}', i);
                var variable = template[(i + 1)..end];
                var equals = variable.IndexOf('=', StringComparison.Ordinal);
                pattern.Append(equals < 0 ? "[^/:]+" : Segments(variable[(equals + 1)..]));
                i = end + 1;
            }
            else
            {
                pattern.Append(Regex.Escape(template[i].ToString()));
                i++;
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    private static string Segments(string subPattern) =>
        string.Join("/", subPattern.Split('/').Select(segment => segment switch
        {
            "**" => ".+",
            "*" => "[^/:]+",
            _ => Regex.Escape(segment),
        }));
}
