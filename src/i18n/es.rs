//! Spanish (US): for merchants in the United States who read Spanish, addressed as *usted*.
//!
//! Written for es-US, not word for word from `en.rs`: "código postal" for ZIP code, "estado",
//! "apodo de la cuenta", "tarjeta de crédito o débito", "número de teléfono celular", "código de
//! verificación", "ingrese" for *enter*. Stamps.com, ShipEngine and USPS stay as names; US state
//! names are not here (they stay as USPS writes them).

use super::{Catalog, Plural, PostageText, PostageWords, Text, WaitUnit};
use crate::error::{AppError, UpstreamProblem};
use crate::fields::FieldProblem;
use crate::fields::card::CardBrand;

pub struct Words;

impl Catalog for Words {
    fn text(&self, text: Text) -> &str {
        match text {
            Text::PageTitle => "Abra su cuenta de Stamps.com",
            Text::MetaDescription => {
                "Abra la cuenta gratuita de Stamps.com que viene con su cuenta de ShipEngine y \
                 obtenga franqueo de USPS con descuento: un formulario y luego un código que le \
                 enviamos a su teléfono."
            }
            Text::SkipToMainContent => "Ir al contenido principal",
            Text::DemoMode => "Modo de demostración",
            Text::DemoModeCodeIs => " \u{2014} no se crea ninguna cuenta real; el código es ",
            Text::Brand => "stamps-connect",
            Text::StepsLabel => "Progreso",
            Text::StepYourDetails => "Sus datos",
            Text::StepConfirmPhone => "Confirme su teléfono",
            Text::StepDone => "Listo",
            Text::NotFoundTitle => "Página no encontrada",
            Text::NotFoundBody => "Esta página no existe.",
            Text::NotFoundLink => "Ir a la página de inicio",
            Text::TryAgainTitle => "Algo salió mal de nuestra parte",
            Text::TryAgainBody => {
                "No pudimos cargar sus datos ahora mismo. Vuelva a intentarlo en un momento, por \
                 favor."
            }
            Text::TryAgainLink => "Volver a intentarlo",
            Text::LanguageSwitchLabel => "Idioma",
            Text::LanguageName => "Español",

            Text::ErrorPrefix => "Error: ",
            Text::Optional => " (opcional)",
            Text::SummaryTitle => "Hay un problema",
            Text::ReferenceForSupport => "Referencia para soporte técnico: ",

            Text::RegisterTitle => "Abra su cuenta gratuita de Stamps.com",
            Text::RegisterLede => {
                "Imprima franqueo de USPS con descuento desde su cuenta de ShipEngine. Solo toma \
                 unos dos minutos: este formulario y luego un código que le enviaremos por mensaje \
                 de texto."
            }
            Text::YourAccountLegend => "Su cuenta",
            Text::NicknameLabel => "Apodo de la cuenta",
            Text::NicknameHint => {
                "Un nombre que usted reconozca, como \u{201c}Tienda principal\u{201d}"
            }
            Text::EmailLabel => "Correo electrónico",
            Text::EmailHint => "Aquí le llegarán los correos de Stamps.com sobre su cuenta",
            Text::YourAddressLegend => "Su dirección",
            Text::AddressHint => {
                "La dirección desde la que envía sus paquetes. Stamps.com solo acepta direcciones \
                 de EE. UU."
            }
            Text::NameLabel => "Nombre completo",
            Text::CompanyNameLabel => "Nombre del negocio",
            Text::PhoneLabel => "Número de teléfono",
            Text::PhoneHint => {
                "Un número de teléfono celular de EE. UU., como (512) 111-2222. En el siguiente \
                 paso le enviaremos un código por mensaje de texto."
            }
            Text::AddressLine1Label => "Dirección, línea 1",
            Text::AddressLine2Label => "Dirección, línea 2",
            Text::CityLabel => "Ciudad",
            Text::StateLabel => "Estado",
            Text::StateNotChosen => "Seleccione un estado",
            Text::PostalCodeLabel => "Código postal",
            Text::CountryLabel => "País",
            Text::CountryUnitedStates => "Estados Unidos",
            Text::ResidentialLegend => "¿Es una dirección residencial?",
            Text::ResidentialYes => "Sí, es una vivienda",
            Text::ResidentialNo => "No, es un negocio",
            Text::CardLegend => "Tarjeta para pagar el franqueo",
            Text::CardHint => {
                "Stamps.com cobrará el franqueo a esta tarjeta de crédito o débito. Enviamos los \
                 datos directamente a Stamps.com y nunca los guardamos."
            }
            Text::CardNameLabel => "Nombre que aparece en la tarjeta",
            Text::CardCleared => {
                "Por su seguridad, nunca guardamos el número de su tarjeta. Vuelva a ingresarlo, \
                 por favor."
            }
            Text::CardNumberLabel => "Número de tarjeta",
            Text::CardNumberHint => "Visa, Mastercard, American Express o Discover",
            Text::ExpiryLegend => "Fecha de vencimiento",
            Text::ExpiryHint => "Como aparece en la tarjeta, por ejemplo, 07 2030",
            Text::ExpiryMonthLabel => "Mes",
            Text::ExpiryYearLabel => "Año",
            Text::TermsAgree => "Acepto los ",
            Text::TermsLink => {
                "términos y condiciones de Stamps.com (se abre en una pestaña nueva)"
            }
            Text::RegisterButton => "Abrir mi cuenta de Stamps.com",
            Text::RegisterBusy => "Abriendo su cuenta\u{2026}",

            Text::VerifyTitle => "Confirme su número de teléfono",
            Text::MobilePhoneLabel => "Número de teléfono celular",
            Text::MobilePhoneHint => "Un número de EE. UU. que pueda recibir mensajes de texto",
            Text::SendCode => "Enviar el código",
            Text::SendCodeToThisNumber => "Enviar el código a este número",
            Text::SendingBusy => "Enviando\u{2026}",
            Text::CodeSentTo => "Le enviamos un código al ",
            Text::CodeSentToEnd => ".",
            Text::CodeLabel => "Código de verificación del mensaje de texto",
            Text::CodeHint => "Puede tardar un minuto en llegar",
            Text::VerifyButton => "Verificar",
            Text::VerifyBusy => "Verificando\u{2026}",
            Text::NoTextYet => "¿Pasó un minuto y no le llegó el mensaje?",
            Text::SendNewCode => "Enviar un código nuevo",
            Text::UseDifferentNumber => "Usar otro número de teléfono",

            Text::DoneTitle => "Su cuenta de Stamps.com está lista",
            Text::DoneLede => {
                "Está verificada y vinculada a ShipEngine. Ya puede imprimir franqueo de USPS."
            }
            Text::DoneNickname => "Apodo de la cuenta",
            Text::DoneCarrierId => "ID de transportista",
            Text::DoneStatus => "Estado de la cuenta",
            Text::DoneVerified => "Verificada",
            Text::DoneReturnToPlatform => "Volver a su plataforma",

            Text::LinkSpentTitle => "Este enlace ya no se puede usar",
            Text::LinkSpentBody => {
                "Un enlace para abrir su cuenta de Stamps.com funciona una sola vez y por tiempo \
                 limitado. Vuelva a la plataforma de la que vino y abra el enlace de nuevo: allí \
                 le darán uno nuevo."
            }
            Text::LinkUnknownTitle => "Este enlace no es válido",
            Text::LinkUnknownBody => {
                "Vuelva a la plataforma de la que vino y abra el enlace de nuevo."
            }
            Text::StartFromPlatformTitle => "Empiece desde su plataforma",
            Text::StartFromPlatformBody => {
                "Para abrir su cuenta de Stamps.com, vaya a la plataforma en la que vende y siga \
                 su enlace a esta página."
            }

            Text::AddressSuggestionTitle => "Encontramos esta dirección en los registros de USPS",
            Text::AddressSuggestionLede => {
                "USPS escribe su dirección de forma un poco distinta. Elija la que desea usar \
                 para su cuenta."
            }
            Text::AddressUseUsps => "Usar la dirección de USPS",
            Text::AddressUseTyped => "Usar la dirección tal como la escribí",
            Text::AddressDifferencesMarked => {
                "Las partes marcadas son distintas de lo que usted escribió."
            }
            Text::AddressUnconfirmedTitle => "USPS no pudo confirmar esta dirección",
            Text::AddressUnconfirmedLede => {
                "Revise los campos señalados. Es posible que los registros de USPS aún no \
                 incluyan direcciones nuevas: si la suya está bien escrita, marque la casilla de \
                 abajo para continuar."
            }
            Text::AddressSure => "Confirmo que esta dirección es correcta",
            Text::ConnectChoice => "¿Ya tiene una cuenta de Stamps.com?",
            Text::ConnectChoiceLink => "Conéctela",
            Text::ConnectTitle => "Conecte su cuenta de Stamps.com",
            Text::ConnectLede => {
                "Inicie sesión con el usuario y la contraseña de Stamps.com que ya usa, y \
                 vinculamos esa cuenta con ShipEngine."
            }
            Text::ConnectUsernameLabel => "Usuario de Stamps.com",
            Text::ConnectPasswordLabel => "Contraseña de Stamps.com",
            Text::ConnectPasswordHint => {
                "La enviamos directamente a Stamps.com y nunca la guardamos."
            }
            Text::ConnectButton => "Conectar mi cuenta",
            Text::ConnectOpenInstead => "¿Aún no tiene cuenta? Abra una gratis",

            Text::ManageOnStamps => "Administrar en Stamps.com",
            Text::ManageTitle => "Administre su cuenta de Stamps.com",
            Text::ManageLede => {
                "Cada enlace inicia su sesión en Stamps.com por poco tiempo: ábralo desde esta \
                 página."
            }
            Text::ManageChangeCard => "Cambiar su tarjeta",
            Text::ManageAccountSettings => "Configuración de la cuenta",
            Text::ManageBalanceReports => "Informes de saldo",
            Text::OpensInNewTab => "(se abre en una pestaña nueva)",
            Text::ManageUnavailable => {
                "No pudimos obtener los enlaces a su cuenta de Stamps.com en este momento. \
                 Vuelva a intentarlo en un momento."
            }
            Text::ManageBack => "Volver a su cuenta",
            Text::DoneBalance => "Saldo de franqueo",
            Text::DoneBalanceUnavailable => "No disponible en este momento",
            Text::DoneAddPostage => "Agregar franqueo",
        }
    }

    fn field_problem_template(&self, problem: FieldProblem) -> &str {
        match problem {
            FieldProblem::Hidden => "Quite los caracteres ocultos o de control de este campo",
            FieldProblem::TooLong { .. } => "Ingrese {max} caracteres como máximo",
            FieldProblem::NicknameMissing => "Ingrese un nombre para esta cuenta",
            FieldProblem::NameMissing => "Ingrese su nombre completo",
            FieldProblem::AddressLine1Missing => "Ingrese la primera línea de su dirección",
            FieldProblem::CityMissing => "Ingrese su ciudad",
            FieldProblem::CardNameMissing => "Ingrese el nombre que aparece en su tarjeta",
            FieldProblem::EmailMissing => "Ingrese su correo electrónico",
            FieldProblem::EmailInvalid => "Ingrese un correo electrónico como nombre@example.com",
            FieldProblem::EmailTooLong => {
                "Su correo electrónico debe tener 254 caracteres como máximo"
            }
            FieldProblem::PhoneMissing => "Ingrese su número de teléfono",
            FieldProblem::PhoneInvalid => {
                "Ingrese un número de teléfono de EE. UU., como (512) 555-0123"
            }
            FieldProblem::ZipMissing => "Ingrese su código postal",
            FieldProblem::ZipInvalid => "Ingrese un código postal como 78756 o 78756-3717",
            FieldProblem::StateMissing => "Seleccione su estado",
            FieldProblem::ResidentialMissing => "Indique si es una dirección residencial",
            FieldProblem::CardNumberMissing => "Ingrese el número de su tarjeta",
            FieldProblem::CardNumberNotDigits => {
                "El número de tarjeta solo puede tener dígitos, espacios y guiones"
            }
            FieldProblem::CardNumberIncomplete => "El número de tarjeta está incompleto",
            FieldProblem::CardBrandNotAccepted => {
                "Aceptamos Visa, Mastercard, American Express y Discover"
            }
            FieldProblem::CardNumberWrongLength(brand) => match brand {
                CardBrand::Visa => "El número de una tarjeta Visa tiene 13, 16 o 19 dígitos",
                CardBrand::Mastercard => "El número de una tarjeta Mastercard tiene 16 dígitos",
                CardBrand::Amex => "El número de una tarjeta American Express tiene 15 dígitos",
                CardBrand::Discover => "El número de una tarjeta Discover tiene de 16 a 19 dígitos",
            },
            FieldProblem::CardNumberTypo => {
                "Revise el número de su tarjeta: tiene un error de escritura"
            }
            FieldProblem::ExpiryMonthMissing => "Ingrese el mes de vencimiento",
            FieldProblem::ExpiryMonthInvalid => {
                "Ingrese el mes de vencimiento como un número del 1 al 12"
            }
            FieldProblem::ExpiryYearMissing => "Ingrese el año de vencimiento",
            FieldProblem::ExpiryYearInvalid => {
                "Ingrese el año de vencimiento con 2 o 4 dígitos, como 31 o 2031"
            }
            FieldProblem::CardExpired => "Su tarjeta está vencida",
            FieldProblem::ExpiryTooFarAhead => {
                "Revise el año de vencimiento: faltan más de 20 años para esa fecha"
            }
            FieldProblem::TermsNotAccepted => {
                "Acepte los términos de Stamps.com para abrir la cuenta"
            }
            FieldProblem::CodeMissing => "Ingrese el código de verificación del mensaje de texto",
            FieldProblem::CodeNotDigits => "El código de verificación solo puede tener números",
            FieldProblem::CodeWrongLength => {
                "Ingrese el código tal como aparece en el mensaje de texto"
            }
            FieldProblem::CodeWrong => {
                "Ese código no es correcto. Revise el mensaje de texto y vuelva a intentarlo, o \
                 pida un código nuevo."
            }
            FieldProblem::UpstreamRequired => "Este dato es obligatorio",
            FieldProblem::UpstreamLength => "Este dato es demasiado largo o demasiado corto",
            FieldProblem::AmountNotChosen => "Elija el monto que desea agregar",
            FieldProblem::AmountMissing => "Ingrese el monto que desea agregar",
            FieldProblem::AmountInvalid => {
                "Ingrese un monto en dólares y centavos, como 35 o 35.50"
            }
            FieldProblem::AmountTooSmall => "Ingrese al menos $10.00",
            FieldProblem::AmountTooLarge { .. } => "Ingrese {max} o menos",
            FieldProblem::UpstreamRefused => {
                "ShipEngine no aceptó este dato. Revíselo y vuelva a intentarlo"
            }
            FieldProblem::UspsAddressNotFound => {
                "USPS no tiene registro de esta dirección. Revise la calle y el número"
            }
            FieldProblem::UspsZipUnknown => "USPS no reconoce este código postal. Revíselo",
            FieldProblem::UspsAddressUnconfirmed => {
                "USPS no pudo confirmar esta dirección. Revísela"
            }
            FieldProblem::UsernameMissing => "Ingrese su usuario de Stamps.com",
            FieldProblem::PasswordMissing => "Ingrese su contraseña de Stamps.com",
        }
    }

    fn upstream_problem(&self, problem: UpstreamProblem) -> &str {
        match problem {
            UpstreamProblem::DetailsRefused => {
                "ShipEngine no pudo aceptar estos datos. Revíselos y vuelva a intentarlo, o \
                 comuníquese con soporte técnico y dé la referencia que aparece abajo."
            }
            UpstreamProblem::NotSetUp => {
                "Este servicio no está bien configurado, así que no pudimos abrir su cuenta. \
                 Comuníquese con el equipo de soporte de este sitio, por favor."
            }
            UpstreamProblem::RegistrationUnknown => {
                "ShipEngine ya no reconoce este registro. Empiece de nuevo, por favor."
            }
            UpstreamProblem::Unreachable => {
                "No pudimos comunicarnos con ShipEngine ahora mismo. Sus datos siguen aquí: \
                 vuelva a intentarlo en un momento."
            }
            UpstreamProblem::NoAnswer => {
                "ShipEngine no respondió a tiempo. Espere un minuto y vuelva a intentarlo."
            }
            UpstreamProblem::Trouble => {
                "ShipEngine tiene problemas en este momento. Sus datos siguen aquí: vuelva a \
                 intentarlo en unos minutos."
            }
            UpstreamProblem::RegistrationRefused => {
                "ShipEngine no abrió la cuenta con estos datos. Revíselos y vuelva a enviar el \
                 formulario."
            }
            UpstreamProblem::CodeExpired => {
                "Este código ya venció. Pida un código nuevo e ingréselo."
            }
            UpstreamProblem::StampsLoginRefused => {
                "Stamps.com no aceptó este usuario y contraseña. Revíselos y vuelva a intentarlo."
            }
            UpstreamProblem::StampsAccountLocked => {
                "Stamps.com bloqueó esta cuenta. Comuníquese con Stamps.com para desbloquearla y \
                 luego vuelva a intentarlo."
            }
            UpstreamProblem::StampsAlreadyConnected => {
                "Esta cuenta de Stamps.com ya está conectada a ShipEngine, a través de esta \
                 plataforma o de otra. Para usarla aquí, comuníquese con el soporte de su \
                 plataforma."
            }
            UpstreamProblem::ConnectionUnknown => {
                "Enviamos sus datos de inicio de sesión a ShipEngine, pero no recibimos respuesta, \
                 así que no sabemos si su cuenta de Stamps.com quedó conectada. No lo intente de \
                 nuevo: comuníquese con soporte con la referencia de abajo y ellos lo revisarán y \
                 lo terminarán por usted."
            }
        }
    }

    fn error_template(&self, error: &AppError) -> &str {
        match error {
            AppError::Invalid(_) => {
                "Hay un problema con los datos que ingresó. Revise los campos marcados."
            }
            AppError::Upstream { problem, .. } => self.upstream_problem(*problem),
            AppError::OutcomeUnknown { .. } => {
                "Enviamos sus datos a ShipEngine, pero no recibimos respuesta, así que no sabemos \
                 si se abrió su cuenta de Stamps.com. No vuelva a ingresar su tarjeta: \
                 comuníquese con soporte técnico y dé la referencia que aparece abajo; ellos lo \
                 revisarán y terminarán el trámite por usted."
            }
            AppError::RegistrationInProgress => {
                "Todavía estamos abriendo su cuenta. Espere un minuto y luego vuelva a cargar esta \
                 página. No vuelva a ingresar su tarjeta."
            }
            AppError::SentFromAnotherBrowser => {
                "Este formulario ya se envió desde otro navegador o con las cookies desactivadas. \
                 Si empezó a abrir su cuenta allí, termine el trámite allí. Si no, permita las \
                 cookies para este sitio y vuelva a cargar esta página."
            }
            AppError::RateLimited { .. } => "Hubo demasiados intentos. Vuelva a intentarlo en {wait}.",
            AppError::TooManyWrongCodes => {
                "Se ingresaron demasiados códigos incorrectos. Pida un código nuevo e ingréselo."
            }
            AppError::BadRequest => "No pudimos leer esa solicitud. Vuelva a intentarlo.",
            AppError::TooLarge => {
                "Esa solicitud es demasiado grande. Acorte lo que ingresó y vuelva a intentarlo."
            }
            AppError::CrossSite => {
                "Esta solicitud vino de otro sitio web, así que la rechazamos. Abra esta página \
                 directamente y vuelva a intentarlo."
            }
            AppError::LinkRequired => {
                "Empiece desde la plataforma en la que vende: siga su enlace a esta página."
            }
            AppError::Internal { .. } => {
                "Algo salió mal de nuestra parte. Vuelva a intentarlo en un momento."
            }
            AppError::Unreachable => {
                "No pudimos comunicarnos con nuestro servidor. Revise su conexión a internet y \
                 vuelva a intentarlo."
            }
        }
    }

    fn wait_template(&self, unit: WaitUnit, plural: Plural) -> &str {
        match (unit, plural) {
            (WaitUnit::Second, Plural::One) => "{count} segundo",
            (WaitUnit::Second, Plural::Other) => "{count} segundos",
            (WaitUnit::Minute, Plural::One) => "{count} minuto",
            (WaitUnit::Minute, Plural::Other) => "{count} minutos",
            (WaitUnit::Hour, Plural::One) => "{count} hora",
            (WaitUnit::Hour, Plural::Other) => "{count} horas",
        }
    }

    fn resend_in_template(&self) -> &str {
        "Podrá pedir un código nuevo en {wait}."
    }

    fn card_of_brand_template(&self) -> &str {
        "Tarjeta {brand}"
    }

    fn registered_lede_template(&self) -> &str {
        "Su cuenta de Stamps.com \u{201c}{nickname}\u{201d} quedó registrada. Para terminar, le \
         enviaremos un código por mensaje de texto a su teléfono."
    }
}

impl PostageWords for Words {
    fn postage(&self, text: PostageText) -> &'static str {
        match text {
            PostageText::AmountTitle => "Agregar franqueo",
            PostageText::AmountLede => {
                "El franqueo se paga con el saldo de su cuenta de Stamps.com. Elija cuánto desea \
                 agregar: el cargo se hace a la tarjeta de su cuenta de Stamps.com cuando usted \
                 lo confirme."
            }
            PostageText::CurrentBalance => "Saldo actual",
            PostageText::AmountLegend => "Monto que desea agregar",
            PostageText::OtherAmount => "Otro monto",
            PostageText::OtherAmountLabel => "Monto en dólares estadounidenses",
            PostageText::ContinueButton => "Continuar",
            PostageText::BackToAccount => "Volver a su cuenta",
            PostageText::ConfirmTitle => "Confirme el cargo",
            PostageText::AmountLabel => "Monto",
            PostageText::ConfirmButton => "Confirmar y agregar franqueo",
            PostageText::ChangeAmount => "Cambiar el monto",
            PostageText::ChargingTitle => "Agregando franqueo\u{2026}",
            PostageText::ChargingBody => {
                "Estamos esperando que Stamps.com confirme el cargo. Actualice esta página en un \
                 momento para ver el resultado y, mientras tanto, no vuelva a agregar franqueo."
            }
            PostageText::RefreshLink => "Actualizar",
            PostageText::ChargedTitle => "Franqueo agregado",
            PostageText::NewBalance => "Saldo nuevo",
            PostageText::AddMore => "Agregar más franqueo",
            PostageText::DeclinedTitle => "La tarjeta fue rechazada",
            PostageText::DeclinedBody => {
                "Stamps.com no pudo hacer el cargo a la tarjeta de su cuenta, así que no se \
                 agregó franqueo. Actualice la tarjeta en su cuenta de Stamps.com y vuelva a \
                 intentarlo."
            }
            PostageText::NotEnabledTitle => "Esta cuenta no tiene habilitado agregar franqueo",
            PostageText::NotEnabledBody => {
                "No se agregó franqueo ni se hizo ningún cargo a su tarjeta. Comuníquese con su \
                 plataforma: primero hay que habilitar esta opción en su cuenta de Stamps.com."
            }
            PostageText::RefusedTitle => "No se agregó franqueo",
            PostageText::RefusedBody => {
                "El cargo no se completó: no se agregó franqueo ni se hizo ningún cargo a su \
                 tarjeta. Vuelva a intentarlo más tarde."
            }
            PostageText::UnknownTitle => "No pudimos confirmar el cargo",
            PostageText::UnknownBody => {
                "No pudimos confirmar si se hizo el cargo a su tarjeta. No vuelva a agregar \
                 franqueo hasta haber revisado su saldo."
            }
            PostageText::UnavailableTitle => "Agregar franqueo no está disponible",
            PostageText::UnavailableBody => {
                "Aquí no es posible agregar franqueo. Comuníquese con su plataforma para agregar \
                 franqueo a su cuenta de Stamps.com."
            }
        }
    }

    fn charge_notice(&self, amount: &str) -> String {
        format!("Se hará un cargo de {amount} a la tarjeta de su cuenta de Stamps.com.")
    }

    fn postage_added(&self, amount: &str) -> String {
        format!("Se agregó un monto de {amount} al saldo de su cuenta de Stamps.com.")
    }

    fn amount_range(&self, min: &str, max: &str) -> String {
        format!("De {min} a {max}, por ejemplo 35 o 35.50")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;
    use crate::i18n::tests::{every_brand, every_error, every_field_problem, every_upstream_problem};

    /// The keys whose Spanish is the English, on purpose.
    const SAME_AS_ENGLISH: &[Text] = &[
        // The site's name, a name in any language.
        Text::Brand,
        // "Error" is the Spanish word too (and the prefix is read out, not shown).
        Text::ErrorPrefix,
        // The full stop after the masked number the code went to.
        Text::CodeSentToEnd,
    ];

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(Words.wait(1), "1 segundo");
        assert_eq!(Words.wait(30), "30 segundos");
        assert_eq!(Words.wait(60), "1 minuto");
        assert_eq!(Words.wait(61), "2 minutos");
        assert_eq!(Words.wait(3600), "60 minutos");
        assert_eq!(Words.wait(7200), "120 minutos");
        assert_eq!(Words.wait(7201), "3 horas");
    }

    #[test]
    fn waits_round_as_in_english() {
        let count = |wait: String| wait.split(' ').next().unwrap().to_owned();
        for secs in (0..=20_000).chain([86_400, u64::MAX]) {
            assert_eq!(
                count(Words.wait(secs)),
                count(Locale::En.wait(secs)),
                "{secs} s"
            );
        }
    }

    #[test]
    fn every_text_is_spanish_except_the_names() {
        for &text in Text::ALL {
            let (spanish, english) = (Words.text(text), Locale::En.text(text));
            assert!(!spanish.trim().is_empty(), "{text:?}");
            if SAME_AS_ENGLISH.contains(&text) {
                assert_eq!(spanish, english, "{text:?} is listed as the same as English");
            } else {
                assert_ne!(spanish, english, "{text:?} is not translated");
            }
        }
    }

    #[test]
    fn every_problem_and_error_is_spanish() {
        for problem in every_field_problem() {
            let spanish = Words.field_problem(problem);
            assert!(!spanish.trim().is_empty(), "{problem:?}");
            assert_ne!(spanish, Locale::En.field_problem(problem), "{problem:?}");
        }
        for problem in every_upstream_problem() {
            let spanish = Words.upstream_problem(problem);
            assert!(!spanish.trim().is_empty(), "{problem:?}");
            assert_ne!(spanish, Locale::En.upstream_problem(problem), "{problem:?}");
        }
        for error in every_error() {
            let spanish = Words.error(&error);
            assert!(!spanish.trim().is_empty(), "{error:?}");
            assert_ne!(spanish, Locale::En.error(&error), "{error:?}");
        }
    }

    #[test]
    fn messages_with_a_value_are_spanish_and_keep_it() {
        assert_eq!(
            Words.resend_in(90),
            "Podrá pedir un código nuevo en 2 minutos."
        );
        assert_eq!(Words.resend_in(1), "Podrá pedir un código nuevo en 1 segundo.");
        for brand in every_brand() {
            let spanish = Words.card_of_brand(brand);
            assert!(spanish.contains(brand.display_name()), "{spanish}");
            assert_ne!(spanish, Locale::En.card_of_brand(brand));
        }
        assert_eq!(Words.card_of_brand(CardBrand::Mastercard), "Tarjeta Mastercard");
        assert_eq!(
            Words.registered_lede("Main store"),
            "Su cuenta de Stamps.com \u{201c}Main store\u{201d} quedó registrada. Para terminar, \
             le enviaremos un código por mensaje de texto a su teléfono."
        );
        for max in [1, 100, 254] {
            let too_long = Words.field_problem(FieldProblem::TooLong { max });
            assert!(too_long.contains(&max.to_string()), "{too_long}");
        }
        assert_eq!(
            Words.field_problem(FieldProblem::TooLong { max: 100 }),
            "Ingrese 100 caracteres como máximo"
        );
        assert_eq!(
            Words.field_problem(FieldProblem::CardNumberWrongLength(CardBrand::Amex)),
            "El número de una tarjeta American Express tiene 15 dígitos"
        );
    }

    #[test]
    fn errors_read_in_spanish() {
        assert_eq!(
            Words.error(&AppError::RateLimited {
                retry_after_secs: 90
            }),
            "Hubo demasiados intentos. Vuelva a intentarlo en 2 minutos."
        );
        assert_eq!(
            Words.error(&AppError::RateLimited {
                retry_after_secs: 1
            }),
            "Hubo demasiados intentos. Vuelva a intentarlo en 1 segundo."
        );
        assert_eq!(
            Words.error(&AppError::Upstream {
                problem: UpstreamProblem::CodeExpired,
                reference: None,
            }),
            Words.upstream_problem(UpstreamProblem::CodeExpired)
        );
        assert!(
            Words
                .error(&AppError::OutcomeUnknown {
                    reference: "r".into()
                })
                .contains("No vuelva a ingresar su tarjeta")
        );
    }

    /// The catalog speaks to the merchant as *usted*: no pronoun or verb form only *tú* uses,
    /// and no clause opens with a *tú* command ("ingresa", where *usted* says "ingrese").
    #[test]
    fn usted_throughout() {
        const TU_WORDS: &[&str] = &[
            "tú", "tu", "tus", "te", "ti", "contigo", "puedes", "podrás", "tienes", "eres",
            "estás", "quieres", "debes", "recibiste", "ingresaste", "empezaste",
        ];
        const TU_COMMANDS: &[&str] = &[
            "ingresa", "revisa", "selecciona", "escribe", "vuelve", "intenta", "pide", "espera",
            "acepta", "abre", "usa", "envía", "confirma", "imprime", "quita", "indica", "empieza",
            "comunícate", "permite", "acorta", "termina", "verifica",
        ];
        let mut said: Vec<String> = Text::ALL.iter().map(|&t| Words.text(t).into()).collect();
        said.extend(every_field_problem().into_iter().map(|p| Words.field_problem(p).into()));
        said.extend(every_upstream_problem().into_iter().map(|p| Words.upstream_problem(p).into()));
        said.extend(every_error().iter().map(|e| Words.error(e).into()));
        said.push(Words.resend_in(90));
        said.push(Words.registered_lede("Main store"));
        said.extend(PostageText::ALL.iter().map(|&t| Words.postage(t).into()));
        said.push(Words.charge_notice("$50.00"));
        said.push(Words.postage_added("$50.00"));
        said.push(Words.amount_range("$10.00", "$500.00"));
        let words = |text: &str| {
            text.split(|c: char| !c.is_alphabetic())
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        for sentence in said {
            for word in words(&sentence) {
                assert!(!TU_WORDS.contains(&word.as_str()), "{word:?} in {sentence:?}");
            }
            for clause in sentence.split(['.', ',', ':', ';', '?', '\u{bf}', '!', '\u{a1}']) {
                if let Some(first) = words(clause).first() {
                    assert!(!TU_COMMANDS.contains(&first.as_str()), "{first:?} in {sentence:?}");
                }
            }
        }
    }
}
