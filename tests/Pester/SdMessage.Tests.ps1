# New-SdMessage and ConvertFrom-SdMessage: building messages, wire text and JSON round trips, and
# bad lines. No sockets. Runs in its own `dotnet pwsh` process (tools/Invoke-PesterFile.ps1).

BeforeAll {
    Set-StrictMode -Version Latest
    if (-not $env:SD_MODULE) { throw 'SD_MODULE is not set: run the tests with ./build.ps1 Test.' }
    Import-Module $env:SD_MODULE -ErrorAction Stop
}

Describe 'New-SdMessage' {
    Context 'A command with parameters' {
        BeforeAll {
            $script:message = New-SdMessage -Command PING -Parameter @{ n = 1.5; flag = $true; off = $false; text = 'x;y' } -Service clock -Server node1
        }

        It 'writes an SdMessage' {
            $message | Should -BeOfType ([SocketDispatcher.SdMessage])
            $message.Command | Should -Be 'PING'
        }

        It 'writes numbers with the invariant culture, whatever the current culture' {
            $saved = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = 'de-DE'
                (New-SdMessage -Command PING -Parameter @{ n = 1.5 }).Parameters['n'] | Should -BeExactly '1.5'
            }
            finally {
                [cultureinfo]::CurrentCulture = $saved
            }
        }

        It 'writes booleans as true and false' {
            $message.Parameters['flag'] | Should -BeExactly 'true'
            $message.Parameters['off'] | Should -BeExactly 'false'
        }

        It 'gives the wire text from ToString(), parameters sorted and quoted where needed' {
            $message.ToString() | Should -BeExactly 'node1:clock/PING flag=true;n=1.5;off=false;text="x;y"'
        }

        It 'keeps an empty value for a null parameter' {
            (New-SdMessage -Command PING -Parameter @{ empty = $null }).ToString() | Should -BeExactly 'PING empty='
        }
    }

    Context 'A reply' {
        It 'is addressed to the sender of the message it answers (-ReplyTo)' {
            $received = '<remote:firewall jungle:watchdog/CONNECT version=1' | ConvertFrom-SdMessage
            (New-SdMessage CONNECTED @{ ok = $true } -ReplyTo $received).ToString() | Should -Be 'remote:firewall/CONNECTED ok=true'
        }
    }

    Context 'Names that break the rules' {
        It 'refuses a lower case command with MessageInvalid' {
            { New-SdMessage -Command ping } | Should -Throw -ErrorId 'MessageInvalid,SocketDispatcher.PowerShell.NewSdMessageCommand'
        }

        It 'refuses a parameter name starting with a digit with MessageInvalid' {
            { New-SdMessage -Command PING -Parameter @{ '1a' = 1 } } | Should -Throw -ErrorId 'MessageInvalid,SocketDispatcher.PowerShell.NewSdMessageCommand'
        }
    }
}

Describe 'ConvertFrom-SdMessage' {
    Context 'Wire text' {
        It 'reads back what New-SdMessage wrote, value for value' {
            $values = @{ a = 'x;y\'; b = ' lead'; c = "line`nbreak"; d = "tab`tand`rcr"; e = '"quoted"' }
            $sent = New-SdMessage -Command DATA -Parameter $values
            $read = $sent.ToString() | ConvertFrom-SdMessage
            $read.Command | Should -Be 'DATA'
            foreach ($name in $values.Keys) {
                $read.Parameters[$name] | Should -BeExactly $values[$name]
            }
            $read.ToString() | Should -BeExactly $sent.ToString()
        }

        It 'reads many lines from the pipeline, one message each' {
            $messages = 'HI', 'DAD', 'TOP who=me' | ConvertFrom-SdMessage
            $messages.Command | Should -Be @('HI', 'DAD', 'TOP')
        }

        It 'takes the line as a positional argument' {
            (ConvertFrom-SdMessage 'svc/ALIVE serial=3').Service | Should -Be 'svc'
        }
    }

    Context 'JSON' {
        It 'reads back ToJson() with -Json' {
            $sent = New-SdMessage -Command PING -Parameter @{ a = 'x;y'; b = 'ü' } -Service clock
            $read = $sent.ToJson() | ConvertFrom-SdMessage -Json
            $read.ToString() | Should -BeExactly $sent.ToString()
        }

        It 'reads a JSON line without -Json, mixed with wire text' {
            $read = 'HI', '{"command":"FIRE","parameters":{"length":-35,"valid":true,"name":"Charles"}}', 'BYE' | ConvertFrom-SdMessage
            $read.ForEach({ $_.ToString() }) | Should -Be @('HI', 'FIRE length=-35;name=Charles;valid=true', 'BYE')
        }

        It 'writes eventdispatcher''s field names with ToJson()' {
            $m = '<remote:firewall jungle:watchdog/CONNECT version=1' | ConvertFrom-SdMessage
            $m.ToJson() | ConvertFrom-Json | ForEach-Object {
                $_.'sent-from-server' | Should -Be 'remote'
                $_.'sent-from-service' | Should -Be 'firewall'
                $_.server | Should -Be 'jungle'
                $_.service | Should -Be 'watchdog'
                $_.parameters.version | Should -BeExactly '1'
            }
        }
    }

    Context 'Table view' {
        It 'shows Command, Parameters (wire form), Peer and Connection' {
            $text = New-SdMessage -Command FIRE -Parameter @{ name = 'Charles'; length = -35 } | Format-Table | Out-String -Width 200
            $header = ($text -split "`n" | Where-Object { $_ -match '\S' })[0]
            $header -split '\s+' | Where-Object { $_ } | Should -Be @('Command', 'Parameters', 'Peer', 'Connection')
            $text | Should -Match 'FIRE\s+length=-35;name=Charles'
        }
    }

    Context 'Bad lines' {
        BeforeAll {
            $script:good = 'HI', 'PING 1a=1', 'PING a', 'BYE' |
                ConvertFrom-SdMessage -ErrorAction SilentlyContinue -ErrorVariable script:badLines
        }

        It 'writes one error per bad line, with id MessageInvalid' {
            $badLines | Should -HaveCount 2
            $badLines | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'MessageInvalid,SocketDispatcher.PowerShell.ConvertFromSdMessageCommand' }
        }

        It 'files the errors as ParserError, with the line as target' {
            $badLines[0].CategoryInfo.Category | Should -Be 'ParserError'
            $badLines[0].TargetObject | Should -Be 'PING 1a=1'
        }

        It 'says where and why in the message' {
            $badLines[0].ToString() | Should -Match "PING 1a=1.*position"
        }

        It 'goes on with the lines after a bad one' {
            $good.Command | Should -Be @('HI', 'BYE')
        }

        It 'stops on a bad line with -ErrorAction Stop' {
            { 'PING a' | ConvertFrom-SdMessage -ErrorAction Stop } | Should -Throw -ErrorId 'MessageInvalid,SocketDispatcher.PowerShell.ConvertFromSdMessageCommand'
        }

        It 'reports bad JSON the same way' {
            { '{"command":' | ConvertFrom-SdMessage -Json -ErrorAction Stop } | Should -Throw -ErrorId 'MessageInvalid,SocketDispatcher.PowerShell.ConvertFromSdMessageCommand'
        }
    }
}
